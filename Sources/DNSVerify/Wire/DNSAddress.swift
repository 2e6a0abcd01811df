import CommunityMailSystem

/// An IPv4 or IPv6 address: the data of A and AAAA records, and where a name server is.
public struct DNSAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// An address from 4 or 16 bytes.
    /// - Throws: ``DNSError/invalidAddress`` for any other length.
    public init(bytes: [UInt8]) throws(DNSError) {
        guard bytes.count == 4 || bytes.count == 16 else {
            throw DNSError.invalidAddress.with(message: "an address has 4 or 16 bytes, not \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// An address from text (`192.0.2.1`, `2001:db8::1`).
    /// - Throws: ``DNSError/invalidAddress``.
    public init(_ text: String) throws(DNSError) {
        guard let address = InternetAddress(text) else {
            throw DNSError.invalidAddress.with(message: "\(text.debugDescription) is not an IPv4 or IPv6 address")
        }
        bytes = address.bytes
    }

    /// True for an IPv6 address.
    public var isIPv6: Bool { bytes.count == 16 }

    /// The loopback address 127.0.0.1.
    public static let loopbackIPv4 = DNSAddress(validated: [127, 0, 0, 1])
    /// The loopback address ::1.
    public static let loopbackIPv6 = DNSAddress(validated: [UInt8](repeating: 0, count: 15) + [1])

    init(validated bytes: [UInt8]) { self.bytes = bytes }

    /// The address in its usual text form.
    public var description: String { InternetAddress(bytes: bytes).description }
}
