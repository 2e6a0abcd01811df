extension ARCSealer {
    /// What a sealer signs and the limits it reads the existing chain with.
    public struct Configuration: Sendable, Hashable {
        /// The header fields the ARC-Message-Signature signs, when present (lowercase names;
        /// each occurrence is signed). ARC-Seal (RFC 8617 §4.1.2: MUST NOT) and
        /// Authentication-Results (SHOULD NOT: receivers remove them) are refused. Default:
        /// the originator and content fields RFC 6376 §5.4.1 recommends, the list fields, and
        /// DKIM-Signature.
        public var signedFields: [String] = [
            "from", "sender", "reply-to", "subject", "date", "message-id", "to", "cc", "mime-version", "content-type",
            "content-transfer-encoding", "content-id", "content-description", "in-reply-to", "references", "list-id",
            "list-help", "list-unsubscribe", "list-subscribe", "list-post", "list-owner", "list-archive", "dkim-signature",
        ]
        /// Which of ``signedFields`` are signed once more than present, so that none can be
        /// added without breaking the signature (From by default, RFC 6376 §8.15). From is
        /// always signed, listed or not.
        public var oversignedFields: [String] = ["from"]
        /// The limits for reading the chain already on the message (its instance count).
        public var chainLimits = ARCVerifier.Configuration()

        /// The defaults.
        public init() {}
    }
}
