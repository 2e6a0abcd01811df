/// An IPv4 or IPv6 network: an address and how many leading bits must match
/// (`ip4:192.0.2.0/24`, or an `a`/`mx` address with its CIDR length).
struct SPFNetwork: Hashable, Sendable {
    /// The network's address bytes: 4 for IPv4, 16 for IPv6.
    let bytes: [UInt8]
    /// The prefix length, at most 32 (IPv4) or 128 (IPv6).
    let prefixLength: Int

    /// True when `address` has the same family and the same first ``prefixLength`` bits.
    /// `address` must already be normalised (an IPv4-mapped IPv6 address as IPv4).
    func contains(_ address: [UInt8]) -> Bool {
        guard address.count == bytes.count, prefixLength <= bytes.count * 8 else { return false }
        let wholeBytes = prefixLength / 8
        for index in 0..<wholeBytes where address[index] != bytes[index] { return false }
        let remainingBits = prefixLength % 8
        guard remainingBits > 0 else { return true }
        let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - remainingBits))
        return address[wholeBytes] & mask == bytes[wholeBytes] & mask
    }

    /// `address` as SPF compares it: an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is
    /// IPv4 (RFC 7208 section 5).
    static func normalised(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return Array(bytes[12..<16])
        }
        return bytes
    }
}
