/// What the SPF and DKIM checks found, in the small shape DMARC needs (RFC 7489 section
/// 4.2): which domains they authenticated. Built by the caller from its SPF and DKIM
/// results, so DMARC depends on neither implementation.
public struct DMARCEvidence: Sendable, Hashable {
    /// The SPF check of the RFC5321.MailFrom identity (or of the HELO identity when the
    /// reverse path was null, RFC 7489 section 4.1).
    public struct SPF: Sendable, Hashable {
        /// How the SPF check ended, as far as DMARC cares.
        public enum Outcome: Sendable, Hashable {
            /// SPF `pass`: ``domain`` is authenticated.
            case pass
            /// SPF `temperror`: it might have passed; DMARC cannot fail for certain.
            case temporaryError
            /// Anything else (`fail`, `softfail`, `neutral`, `none`, `permerror`).
            case other
        }

        /// The domain SPF checked (the MAIL FROM domain, or the HELO name).
        public var domain: String
        /// How it ended.
        public var outcome: Outcome

        /// Evidence from its parts.
        public init(domain: String, outcome: Outcome) {
            self.domain = domain
            self.outcome = outcome
        }
    }

    /// The DKIM checks of the message's signatures.
    public struct DKIM: Sendable, Hashable {
        /// The `d=` domains of the signatures that verified (in any order; repeats allowed).
        public var passingDomains: [String]
        /// The `d=` domains of the signatures that could not be checked because of a
        /// temporary error (a key lookup that timed out). Only one that would align with
        /// the From domain can make DMARC's answer a temperror: a sender must not be able
        /// to dodge `p=reject` by adding a signature whose key lookup it breaks.
        public var temporaryErrorDomains: [String]

        /// Evidence from its parts.
        public init(passingDomains: [String] = [], temporaryErrorDomains: [String] = []) {
            self.passingDomains = passingDomains
            self.temporaryErrorDomains = temporaryErrorDomains
        }
    }

    /// The SPF result, or nil when SPF was not checked.
    public var spf: SPF?
    /// The DKIM results (no signature: empty).
    public var dkim: DKIM

    /// Evidence from its parts.
    public init(spf: SPF? = nil, dkim: DKIM = DKIM()) {
        self.spf = spf
        self.dkim = dkim
    }
}
