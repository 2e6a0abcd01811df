#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &buffer) == 1 {
            bytes = Array(buffer[0..<4])
        } else if inet_pton(AF_INET6, text, &buffer) == 1 {
            bytes = buffer
        } else {
            throw DNSError.invalidAddress.with(message: "\(text.debugDescription) is not an IPv4 or IPv6 address")
        }
    }

    /// True for an IPv6 address.
    public var isIPv6: Bool { bytes.count == 16 }

    /// The loopback address 127.0.0.1.
    public static let loopbackIPv4 = DNSAddress(validated: [127, 0, 0, 1])
    /// The loopback address ::1.
    public static let loopbackIPv6 = DNSAddress(validated: [UInt8](repeating: 0, count: 15) + [1])

    init(validated bytes: [UInt8]) { self.bytes = bytes }

    /// The address in its usual text form.
    public var description: String {
        var text = [CChar](repeating: 0, count: 64)
        let family = isIPv6 ? AF_INET6 : AF_INET
        guard inet_ntop(family, bytes, &text, socklen_t(text.count)) != nil else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
