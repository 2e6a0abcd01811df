extension SPFResult {
    /// The seven results of check_host() (RFC 7208 section 2.6); the raw value is the
    /// keyword Authentication-Results uses (RFC 8601 section 2.7.2).
    public enum Verdict: String, Hashable, Sendable, CaseIterable {
        /// No SPF record, or no usable domain to ask (not a multi-label name, a domain literal).
        case none
        /// The domain asserts nothing about this client (`?`, or no mechanism matched).
        case neutral
        /// The client is authorised (`+`).
        case pass
        /// The client is not authorised (`-`).
        case fail
        /// Probably not authorised (`~`).
        case softfail
        /// A transient DNS error: trying again later may give another verdict.
        case temperror
        /// The domain's record cannot be interpreted (syntax, limits, loops).
        case permerror

        /// True for ``temperror``: the same check may give another verdict later.
        public var isTransient: Bool { self == .temperror }
    }
}
