public import CommunityMailSystem

extension SPFVerifier {
    /// Limits and the values of the explanation-only macros. The defaults are RFC 7208's
    /// (section 4.6.4) and safe for hostile records.
    public struct Configuration: Sendable {
        /// The most DNS-querying terms (`include`, `a`, `mx`, `ptr`, `exists`, `redirect`)
        /// one check evaluates, across included and redirected records; one more is a
        /// permerror. Default: 10 (RFC 7208 section 4.6.4).
        public var maximumDNSTerms = 10
        /// The most lookups that find nothing (NXDOMAIN or no data) one check tolerates; one
        /// more is a permerror. Default: 2 (RFC 7208 section 4.6.4).
        public var maximumVoidLookups = 2
        /// The most MX records an `mx` mechanism may get; more is a permerror. Default: 10.
        public var maximumMXNames = 10
        /// The most PTR names `ptr` and `%{p}` look at; the rest are ignored. Default: 10.
        public var maximumPTRNames = 10
        /// The most DNS questions one check asks in all (each CNAME step counts once, as
        /// the resolver answers it); past it the check is a permerror. The RFC limits allow
        /// about 125. Default: 150.
        public var maximumQueries = 150
        /// The most bytes one macro expansion may produce; a record that expands past it is
        /// a permerror (an explanation past it is dropped). Default: 4,096.
        public var maximumExpansionLength = 4096
        /// How long one check may take before it is a temperror (RFC 7208 section 4.6.4
        /// asks for at least 20 seconds), measured on ``clock``. Default: 20 seconds.
        public var timeLimit: Duration = .seconds(20)
        /// The receiving host's name, which `%{r}` expands to in explanations. Default:
        /// `unknown` (what RFC 7208 section 7.3 says to use when there is none).
        public var receivingHost = "unknown"
        /// The explanation of a fail whose record has no usable `exp=`. Default: nil (none).
        public var defaultExplanation: String?
        /// The clock for ``timeLimit`` and `%{t}`. Default: ``SystemClock``.
        public var clock: any ServiceClock = SystemClock()

        /// The defaults above.
        public init() {}
    }
}
