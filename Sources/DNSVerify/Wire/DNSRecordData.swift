/// The typed data of a resource record.
public enum DNSRecordData: Hashable, Sendable {
    /// An IPv4 address (A).
    case a(DNSAddress)
    /// An IPv6 address (AAAA).
    case aaaa(DNSAddress)
    /// The canonical name this name is an alias of (CNAME).
    case cname(DNSName)
    /// An authoritative name server (NS).
    case ns(DNSName)
    /// The start of a zone (SOA).
    case soa(DNSStartOfAuthority)
    /// A mail exchange with its preference, lower first (MX).
    case mx(preference: UInt16, exchange: DNSName)
    /// The character-strings of one TXT record, each at most 255 bytes. They belong
    /// together only within this record (RFC 7208 section 3.3 joins them for SPF).
    case txt([[UInt8]])
    /// EDNS(0) options (OPT pseudo-record).
    case opt([DNSOption])
    /// Any other type, its data kept as it came.
    case unknown(type: DNSRecordType, data: [UInt8])

    /// The record type the data belongs to.
    public var type: DNSRecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .cname: .cname
        case .ns: .ns
        case .soa: .soa
        case .mx: .mx
        case .txt: .txt
        case .opt: .opt
        case .unknown(let type, _): type
        }
    }

    /// TXT data from text, split into 255-byte character-strings as a zone file would.
    public static func txt(text: String) -> DNSRecordData {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return .txt([[]]) }
        return .txt(stride(from: 0, to: bytes.count, by: 255).map { Array(bytes[$0..<min($0 + 255, bytes.count)]) })
    }

    /// For TXT data, the character-strings joined with nothing between them (how SPF,
    /// DKIM and DMARC read one record); nil for other types.
    public var joinedText: String? {
        guard case .txt(let strings) = self else { return nil }
        return String(decoding: strings.joined(), as: UTF8.self)
    }
}
