public import CommunityMailSystem

/// The unit that per-address limits count a client by (the failed-login limit of
/// ``LoginRateLimiter`` and the per-address connection limit of
/// ``MailAccessSessionTable``): an IPv4 address alone; an IPv6 address by its /64 prefix,
/// because one host routinely holds a whole /64 (SLAAC privacy addresses, RFC 8981) and
/// could otherwise take a fresh address for every attempt; an IPv4-mapped IPv6 address
/// (`::ffff:192.0.2.1`, what a dual-stack socket reports for an IPv4 client) as the IPv4
/// address it carries, so one client counts once on either kind of socket.
public struct ClientAddressGroup: Hashable, Sendable, CustomStringConvertible {
    /// The length in bits of the IPv6 prefix one group covers.
    public static let ipv6PrefixLength = 64

    /// The group's bytes: the 4 of an IPv4 address, or the first 8 of an IPv6 address.
    public let prefix: [UInt8]

    /// The group `address` belongs to.
    public init(_ address: InternetAddress) {
        let bytes = address.bytes
        if bytes.count == 16 {
            let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
            prefix = mapped ? Array(bytes[12..<16]) : Array(bytes[0..<(Self.ipv6PrefixLength / 8)])
        } else {
            prefix = bytes
        }
    }

    /// `192.0.2.1` or `2001:db8:1:2::/64`.
    public var description: String {
        guard prefix.count == Self.ipv6PrefixLength / 8 else { return InternetAddress(bytes: prefix).description }
        return InternetAddress(bytes: prefix + [UInt8](repeating: 0, count: 16 - prefix.count)).description + "/\(Self.ipv6PrefixLength)"
    }
}
