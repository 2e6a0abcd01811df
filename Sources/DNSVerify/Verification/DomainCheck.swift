/// The outcome of one check of a domain's DNS set-up.
public struct DomainCheck: Hashable, Sendable, Codable {
    /// What was checked.
    public enum Kind: String, Hashable, Sendable, CaseIterable, Codable {
        /// The ownership TXT record (`forward-email-site-verification=<token>`).
        case verification
        /// The MX records.
        case mailExchanges = "mx"
        /// The SPF policy (a `v=spf1` TXT record).
        case spf
        /// The DMARC policy at `_dmarc`.
        case dmarc
        /// A DKIM public key at `<selector>._domainkey`.
        case dkim
        /// The return-path (bounce) CNAME.
        case returnPath = "return-path"
    }

    /// The verdict.
    public enum Status: String, Hashable, Sendable, Comparable, Codable {
        /// Set up as expected.
        case pass
        /// DNS answered, and the answer shows something to change.
        case fail
        /// DNS did not answer reliably (timeout, SERVFAIL, REFUSED, network): try later.
        case indeterminate

        /// Order of severity for summaries: pass < indeterminate < fail.
        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
        private var rank: Int {
            switch self {
            case .pass: 0
            case .indeterminate: 1
            case .fail: 2
            }
        }
    }

    /// What was checked.
    public var kind: DomainCheck.Kind
    /// The verdict.
    public var status: Status
    /// The name that was looked up (A-label form).
    public var name: String
    /// The records seen, in readable form (TXT strings joined per record, `10 mx.example.`).
    public var records: [String]
    /// What was found and, unless it passed, what to change.
    public var message: String
    /// Values read from the records (DMARC `p` and `pct`, SPF qualifiers) for reports.
    public var details: [String: String]

    /// A check result from its parts.
    public init(kind: DomainCheck.Kind, status: Status, name: String, records: [String] = [], message: String,
                details: [String: String] = [:]) {
        self.kind = kind
        self.status = status
        self.name = name
        self.records = records
        self.message = message
        self.details = details
    }
}
