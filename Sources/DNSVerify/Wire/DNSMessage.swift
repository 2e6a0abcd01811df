/// A DNS message (RFC 1035 section 4): header, question, answer, authority and
/// additional sections. EDNS(0) lives in an OPT record in the additional section.
public struct DNSMessage: Hashable, Sendable {
    /// The header.
    public var header: DNSHeader
    /// The question section.
    public var questions: [DNSQuestion]
    /// The answer section.
    public var answers: [DNSRecord]
    /// The authority section (NS, or the SOA of a negative answer).
    public var authorities: [DNSRecord]
    /// The additional section, OPT included.
    public var additionals: [DNSRecord]

    /// A message from its parts.
    public init(header: DNSHeader, questions: [DNSQuestion] = [], answers: [DNSRecord] = [],
                authorities: [DNSRecord] = [], additionals: [DNSRecord] = []) {
        self.header = header
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
    }

    /// The EDNS UDP payload size most resolvers use since DNS Flag Day 2020: fits in
    /// one IPv6 packet without fragmentation.
    public static let recommendedPayloadSize: UInt16 = 1232

    /// A standard query for `question`, with an OPT record advertising `payloadSize`
    /// when it is not nil.
    public static func query(id: UInt16, question: DNSQuestion, payloadSize: UInt16? = recommendedPayloadSize,
                             recursionDesired: Bool = true) -> DNSMessage {
        var message = DNSMessage(header: DNSHeader(id: id, recursionDesired: recursionDesired), questions: [question])
        if let payloadSize {
            message.additionals.append(DNSRecord(name: .root, ttl: 0, data: .opt([]), recordClass: DNSRecordClass(rawValue: payloadSize)))
        }
        return message
    }

    /// The OPT pseudo-record, if the message has one.
    public var edns: DNSRecord? { additionals.first { $0.type == .opt } }

    /// The full response code: the header's 4 bits and, with EDNS, 8 more from the OPT record.
    public var responseCode: DNSResponseCode {
        let high = edns.map { UInt16($0.ttl >> 24) << 4 } ?? 0
        return DNSResponseCode(rawValue: high | UInt16(header.responseCode))
    }
}
