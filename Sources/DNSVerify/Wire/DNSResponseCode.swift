/// A response code (RFC 1035 section 4.1.1, extended to 12 bits by EDNS, RFC 6891).
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code's number.
    public let rawValue: UInt16
    /// A code from its number.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// No error.
    public static let noError = DNSResponseCode(rawValue: 0)
    /// The server could not interpret the query (FORMERR).
    public static let formatError = DNSResponseCode(rawValue: 1)
    /// The server failed (SERVFAIL).
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    /// The name does not exist (NXDOMAIN).
    public static let nameError = DNSResponseCode(rawValue: 3)
    /// The server does not support the query (NOTIMP).
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    /// The server refuses to answer (REFUSED).
    public static let refused = DNSResponseCode(rawValue: 5)
    /// The EDNS version is not supported (BADVERS, RFC 6891).
    public static let badVersion = DNSResponseCode(rawValue: 16)

    private static let names: [UInt16: String] = [
        0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED", 16: "BADVERS",
    ]

    /// The mnemonic (`NXDOMAIN`), or `RCODEnnn`.
    public var description: String { Self.names[rawValue] ?? "RCODE\(rawValue)" }
}
