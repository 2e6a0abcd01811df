/// The outcome of a DMARC evaluation (RFC 7489 section 6.6) and what to do with the message.
public struct DMARCResult: Sendable, Hashable {
    /// The DMARC result, as Authentication-Results writes it (RFC 8601 section 2.7.1 and
    /// RFC 7489 section 11.2).
    public enum Status: String, Sendable, Hashable {
        /// An aligned identifier passed.
        case pass
        /// A policy was found and no aligned identifier passed.
        case fail
        /// No usable policy was found (no record, several records, an unusable record).
        case none
        /// A DNS lookup for the policy, or an SPF/DKIM check that might have aligned, failed
        /// temporarily: try again later.
        case temperror
        /// The message cannot be evaluated (no single From domain; see ``fromDomain``).
        case permerror
    }

    /// Which identifier aligned with the From domain.
    public enum AlignedIdentifier: String, Sendable, Hashable {
        /// SPF passed for a domain aligned with the From domain.
        case spf
        /// A DKIM signature passed with a `d=` aligned with the From domain.
        case dkim
    }

    /// The result.
    public var status: Status
    /// The From domain, or why there is none.
    public var fromDomain: DMARCFromDomain
    /// The record that applied, when one was found.
    public var record: DMARCRecord?
    /// Where the record was found (the From domain or its organisational domain).
    public var policyDomain: String?
    /// True when the record came from the organisational domain (the From domain had none).
    public var usedOrganizationalDomainRecord = false
    /// The policy the record asks for this message (`p`, or `sp` for a subdomain whose
    /// record came from the organisational domain), before `pct`.
    public var requestedPolicy: DMARCRecord.Policy?
    /// What to do with the message: `.none` unless the result is `fail`; for `fail`, the
    /// requested policy, one step less strict when `pct` left the message out.
    public var disposition: DMARCRecord.Policy = .none
    /// True when the message failed but `pct` sampling left it out of the policy.
    public var sampledOut = false
    /// The identifiers that aligned and passed (empty unless ``status`` is `.pass`).
    public var alignedIdentifiers: Set<AlignedIdentifier> = []
    /// The `d=` domain of the first aligned passing DKIM signature.
    public var alignedDKIMDomain: String?
    /// Why, in words, for logs and the Authentication-Results comment (domains may appear;
    /// never an address).
    public var reason: String

    /// A result from its parts.
    public init(status: Status, fromDomain: DMARCFromDomain, reason: String) {
        self.status = status
        self.fromDomain = fromDomain
        self.reason = reason
    }
}
