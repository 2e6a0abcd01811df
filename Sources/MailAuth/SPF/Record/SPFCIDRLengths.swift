/// The `dual-cidr-length` of `a` and `mx` (RFC 7208 section 5.6): `/24`, `//64`, `/24//64`.
struct SPFCIDRLengths: Hashable, Sendable {
    /// The prefix length applied to IPv4 addresses; 32 when absent.
    var ipv4 = 32
    /// The prefix length applied to IPv6 addresses; 128 when absent.
    var ipv6 = 128

    /// The length for an address of `byteCount` bytes.
    func length(forAddressOf byteCount: Int) -> Int { byteCount == 4 ? ipv4 : ipv6 }
}
