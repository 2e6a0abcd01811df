public import CommunityMailSystem

extension DKIMSigner {
    /// How signatures are made.
    public struct Configuration: Sendable {
        /// The signing domain (`d=`).
        public var domain: String
        /// The selector (`s=`): the key record is at `<selector>._domainkey.<domain>`.
        public var selector: String
        /// The header canonicalization. Default relaxed (survives common rewriting).
        public var headerCanonicalization: Canonicalization = .relaxed
        /// The body canonicalization. Default relaxed.
        public var bodyCanonicalization: Canonicalization = .relaxed
        /// The fields signed, each as many times as the message has it. Default RFC 6376
        /// §5.4.1's list (From, Reply-To, Subject, Date, To, Cc, Resent-*, In-Reply-To,
        /// References, List-*, Message-ID, MIME-Version, Content-Type,
        /// Content-Transfer-Encoding). From is always signed.
        public var signedHeaders: [String] = Self.recommendedHeaders
        /// Fields signed once more than the message has them ("over-signing", RFC 6376
        /// §8.15), so that adding one breaks the signature. Default From, To, Cc, Subject,
        /// Date, Reply-To, Message-ID, Content-Type, MIME-Version.
        public var overSignedHeaders: [String] = ["From", "To", "Cc", "Subject", "Date", "Reply-To", "Message-ID", "Content-Type", "MIME-Version"]
        /// The identity (`i=`), which must be at `domain` or a subdomain; nil leaves it out
        /// (it then means `@domain`). Default nil.
        public var identity: String?
        /// Whether to write the signing time (`t=`). Default true.
        public var includesTimestamp = true
        /// How long the signature is valid (`x=` = `t=` + this); nil for no `x=`. Default nil.
        public var validity: Duration?
        /// The clock for `t=` and `x=`. Default the system clock.
        public var clock: any ServiceClock = SystemClock()

        /// RFC 6376 §5.4.1's recommended fields.
        public static let recommendedHeaders = [
            "From", "Reply-To", "Subject", "Date", "To", "Cc", "Resent-Date", "Resent-From", "Resent-To", "Resent-Cc",
            "In-Reply-To", "References", "List-Id", "List-Help", "List-Unsubscribe", "List-Subscribe", "List-Post",
            "List-Owner", "List-Archive", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
        ]

        /// A configuration for signing as `domain` with `selector`, other settings default.
        public init(domain: String, selector: String) {
            self.domain = domain
            self.selector = selector
        }
    }
}
