/// What a lookup found: the records of the asked type (after following CNAMEs), or a
/// distinct outcome for each way it can fail.
public struct DNSResult: Hashable, Sendable, CustomStringConvertible {
    /// How a lookup ended.
    public enum Status: Hashable, Sendable {
        /// Records of the asked type were found.
        case answer
        /// The name exists but has no records of the asked type (NOERROR, no data).
        case noData
        /// The name does not exist (NXDOMAIN).
        case nonExistentDomain
        /// The server failed (SERVFAIL, or another error code).
        case serverFailure
        /// The server refused to answer (REFUSED).
        case refused
        /// No server answered in time.
        case timeout
        /// A socket error (unreachable network, connection refused).
        case networkFailure
        /// Replies came back but could not be decoded.
        case malformedResponse
        /// The CNAME chain loops or is longer than the resolver follows.
        case aliasLoop
    }

    /// The question as asked (the name in A-label form).
    public var question: DNSQuestion
    /// How the lookup ended.
    public var status: Status
    /// The records of the asked type at ``canonicalName``; empty unless ``status`` is `.answer`.
    public var records: [DNSRecord]
    /// The CNAME records followed from the asked name to ``canonicalName``, in order.
    public var aliases: [DNSRecord]
    /// The name the records belong to: the asked name, or the end of the CNAME chain.
    public var canonicalName: DNSName
    /// For `.noData` and `.nonExistentDomain`, how long the absence may be cached: the
    /// smaller of the SOA record's TTL and its minimum field (RFC 2308); nil without an SOA.
    public var negativeTTL: UInt32?
    /// What happened, in words (which servers failed and how).
    public var detail: String

    /// A result from its parts.
    public init(question: DNSQuestion, status: Status, records: [DNSRecord] = [], aliases: [DNSRecord] = [],
                canonicalName: DNSName? = nil, negativeTTL: UInt32? = nil, detail: String = "") {
        self.question = question
        self.status = status
        self.records = records
        self.aliases = aliases
        self.canonicalName = canonicalName ?? question.name
        self.negativeTTL = negativeTTL
        self.detail = detail
    }

    /// True when asking again later may give another outcome: timeouts, server failures,
    /// refusals, network errors and undecodable replies. Checks report these as
    /// indeterminate, never as failed.
    public var isTransient: Bool {
        switch status {
        case .answer, .noData, .nonExistentDomain, .aliasLoop: false
        case .serverFailure, .refused, .timeout, .networkFailure, .malformedResponse: true
        }
    }

    /// The smallest TTL among the records and aliases, or nil when there are none.
    public var ttl: UInt32? { (records + aliases).map(\.ttl).min() }

    /// For TXT answers, each record's strings joined (strings of different records are
    /// never joined together).
    public var texts: [String] { records.compactMap(\.data.joinedText) }

    /// `name TYPE: status (detail)`.
    public var description: String {
        let text: String
        switch status {
        case .answer: text = "\(records.count) record(s)"
        case .noData: text = "no \(question.type) records (NOERROR, no data)"
        case .nonExistentDomain: text = "the name does not exist (NXDOMAIN)"
        case .serverFailure: text = "server failure (SERVFAIL)"
        case .refused: text = "the server refused (REFUSED)"
        case .timeout: text = "no answer in time"
        case .networkFailure: text = "network failure"
        case .malformedResponse: text = "malformed reply"
        case .aliasLoop: text = "the CNAME chain loops or is too long"
        }
        return "\(question.name.text) \(question.type): \(text)" + (detail.isEmpty ? "" : " (\(detail))")
    }
}
