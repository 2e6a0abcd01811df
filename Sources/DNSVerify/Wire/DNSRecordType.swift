/// A resource record type (RFC 1035 section 3.2.2 and later RFCs); any 16-bit value is
/// representable, the common ones have names.
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The type's number on the wire.
    public let rawValue: UInt16
    /// A type from its number.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// IPv4 address (RFC 1035).
    public static let a = DNSRecordType(rawValue: 1)
    /// Authoritative name server (RFC 1035).
    public static let ns = DNSRecordType(rawValue: 2)
    /// Canonical name, an alias (RFC 1035).
    public static let cname = DNSRecordType(rawValue: 5)
    /// Start of a zone of authority (RFC 1035).
    public static let soa = DNSRecordType(rawValue: 6)
    /// Domain name pointer (RFC 1035); kept raw.
    public static let ptr = DNSRecordType(rawValue: 12)
    /// Mail exchange (RFC 1035).
    public static let mx = DNSRecordType(rawValue: 15)
    /// Text strings (RFC 1035).
    public static let txt = DNSRecordType(rawValue: 16)
    /// IPv6 address (RFC 3596).
    public static let aaaa = DNSRecordType(rawValue: 28)
    /// EDNS(0) pseudo-record (RFC 6891).
    public static let opt = DNSRecordType(rawValue: 41)
    /// Every type (a query type only).
    public static let any = DNSRecordType(rawValue: 255)

    private static let names: [UInt16: String] = [
        1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 41: "OPT", 255: "ANY",
    ]

    /// The mnemonic (`MX`), or `TYPEnnn` (RFC 3597) for types without one.
    public var description: String { Self.names[rawValue] ?? "TYPE\(rawValue)" }

    /// The type named `mnemonic` (`mx`, `TXT`, `TYPE99`), or nil.
    public init?(mnemonic: String) {
        let upper = mnemonic.uppercased()
        if let entry = Self.names.first(where: { $0.value == upper }) {
            self.init(rawValue: entry.key)
        } else if upper.hasPrefix("TYPE"), let value = UInt16(upper.dropFirst(4)) {
            self.init(rawValue: value)
        } else {
            return nil
        }
    }
}
