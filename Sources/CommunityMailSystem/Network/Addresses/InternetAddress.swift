#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as bytes, parsed from text, a URL host, a resolver's answer or a
/// socket address, and classified: the one address rule of the package (sockets, OpenIDAuth's
/// URL policy, LaunchpadClient's and MemberSync's loopback checks).
public struct InternetAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order.
    public let bytes: [UInt8]

    /// 127.0.0.1.
    public static let loopbackIPv4 = InternetAddress(bytes: [127, 0, 0, 1])
    /// ::1.
    public static let loopbackIPv6 = InternetAddress(bytes: [UInt8](repeating: 0, count: 15) + [1])
    /// 0.0.0.0: every local IPv4 address (to bind to).
    public static let anyIPv4 = InternetAddress(bytes: [0, 0, 0, 0])
    /// ::, every local IPv6 address (to bind to).
    public static let anyIPv6 = InternetAddress(bytes: [UInt8](repeating: 0, count: 16))

    /// An address in its usual text form only (`192.0.2.1`, `2001:db8::1`), as `inet_pton`
    /// reads it; nil for anything else (names, `127.1`, brackets, zone ids).
    public init?(_ text: String) {
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &buffer) == 1 {
            bytes = Array(buffer[0..<4])
        } else if inet_pton(AF_INET6, text, &buffer) == 1 {
            bytes = buffer
        } else {
            return nil
        }
    }

    /// True for an IPv6 address (16 bytes).
    public var isIPv6: Bool { bytes.count == 16 }

    /// The address in its usual text form (`inet_ntop`).
    public var description: String {
        var text = [CChar](repeating: 0, count: 64)
        guard inet_ntop(isIPv6 ? AF_INET6 : AF_INET, bytes, &text, socklen_t(text.count)) != nil else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Where an address leads, from the relying party's point of view.
    package enum Reach: Comparable {
        /// A globally routed unicast address.
        case publicInternet
        /// Loopback, private (RFC 1918, ULA), link-local, shared (100.64/10) and tunnels
        /// that hide an IPv4 address (Teredo): reachable only from inside.
        case privateNetwork
        /// Unspecified (0/8, ::), multicast, broadcast and reserved: never a provider.
        case unusable
    }

    /// An address from 4 or 16 bytes in network order; the caller checked the length.
    package init(bytes: [UInt8]) {
        precondition(bytes.count == 4 || bytes.count == 16, "an internet address has 4 or 16 bytes")
        self.bytes = bytes
    }

    /// The address a URL host spells, or nil when the host is a name. IPv4 accepts every
    /// spelling `inet_aton` and URL parsers accept (`2130706433`, `0x7f.1`, `0177.0.0.1`,
    /// `127.1`, a trailing dot); IPv6 may be bracketed. A host that looks numeric but does
    /// not parse is refused by the caller (``looksNumeric(_:)``).
    package init?(host: String) {
        var text = host
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.contains(":") {
            guard !text.contains("%"), let bytes = Self.parseIPv6(text) else { return nil }
            self.bytes = bytes
            return
        }
        guard let bytes = Self.parseIPv4(text) else { return nil }
        self.bytes = bytes
    }

    /// True when every dot-separated label of `host` is a number in some base, so a resolver
    /// might read it as an IPv4 address even when ``init(host:)`` does not.
    package static func looksNumeric(_ host: String) -> Bool {
        var labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count > 1, labels.last == "" { labels.removeLast() }
        return !labels.isEmpty && labels.allSatisfy { label in
            let lower = label.lowercased()
            let digits = lower.hasPrefix("0x") ? lower.dropFirst(2) : Substring(lower)
            return !label.isEmpty && digits.allSatisfy { $0.isHexDigit }
                && (lower.hasPrefix("0x") || label.allSatisfy(\.isNumber))
        }
    }

    /// `inet_aton` rules: one to four parts, each decimal, octal (leading 0) or hex (0x);
    /// the last part fills the remaining bytes.
    private static func parseIPv4(_ text: String) -> [UInt8]? {
        var parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 1, parts.last == "" { parts.removeLast() }
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            // UInt64(_:radix:) takes a leading sign; inet_aton and URL parsers do not.
            guard !part.contains("+"), !part.contains("-") else { return nil }
            let lower = part.lowercased()
            let value: UInt64?
            if lower.hasPrefix("0x") {
                let digits = lower.dropFirst(2)
                value = digits.isEmpty ? 0 : (digits.count <= 16 ? UInt64(digits, radix: 16) : nil)
            } else if lower.count > 1, lower.hasPrefix("0") {
                value = lower.count <= 22 ? UInt64(lower.dropFirst(), radix: 8) : nil
            } else {
                value = lower.count <= 20 ? UInt64(lower, radix: 10) : nil
            }
            guard let value else { return nil }
            values.append(value)
        }
        for value in values.dropLast() where value > 255 { return nil }
        let lastLimit = UInt64(1) << (8 * UInt64(5 - values.count))
        guard let last = values.last, last < lastLimit else { return nil }
        var bytes = values.dropLast().map { UInt8($0) }
        for shift in stride(from: 8 * (4 - bytes.count) - 8, through: 0, by: -8) { bytes.append(UInt8((last >> UInt64(shift)) & 0xFF)) }
        return bytes
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        var storage = in6_addr()
        guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
        return withUnsafeBytes(of: &storage) { Array($0) }
    }

    /// True for 127.0.0.0/8, ::1 and an IPv4-mapped 127.x: traffic that never leaves the
    /// machine.
    public var isLoopback: Bool {
        if bytes.count == 4 { return bytes[0] == 127 }
        if bytes == [UInt8](repeating: 0, count: 15) + [1] { return true }
        return bytes.starts(with: [UInt8](repeating: 0, count: 10) + [0xff, 0xff]) && bytes[12] == 127
    }

    /// Where the address leads: public only when IANA's special-purpose registries say
    /// "globally reachable" (the rule of Python's `ipaddress.is_global`). IPv6 forms that
    /// carry an IPv4 address (mapped, compatible, NAT64 well-known prefix) are judged by
    /// that address.
    package var reach: Reach {
        if bytes.count == 4 { return Self.reach(ipv4: bytes) }
        let b = bytes
        func prefix(_ values: [UInt8]) -> Bool { b.starts(with: values) }
        if b.allSatisfy({ $0 == 0 }) { return .unusable }                                    // ::
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return .privateNetwork }       // ::1
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {            // ::ffff:a.b.c.d
            return Self.reach(ipv4: Array(b[12..<16]))
        }
        if b[0..<12].allSatisfy({ $0 == 0 }) { return Self.reach(ipv4: Array(b[12..<16])) } // ::a.b.c.d
        if b[0..<8].allSatisfy({ $0 == 0 }) && b[8] == 0xFF && b[9] == 0xFF && b[10] == 0 && b[11] == 0 {
            return .unusable                                                                 // ::ffff:0:a.b.c.d (translated)
        }
        if prefix([0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]) {                        // 64:ff9b::/96
            return Self.reach(ipv4: Array(b[12..<16]))
        }
        if prefix([0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01]) { return .privateNetwork }           // 64:ff9b:1::/48 local NAT64
        if b[0] == 0xFF { return .unusable }                                                 // ff00::/8
        if b[0] & 0xFE == 0xFC { return .privateNetwork }                                    // fc00::/7
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return .privateNetwork }                    // fe80::/10
        if b[0] == 0xFE && b[1] & 0xC0 == 0xC0 { return .privateNetwork }                    // fec0::/10
        if prefix([0x20, 0x01, 0x00, 0x00]) { return .privateNetwork }                       // Teredo 2001::/32
        if prefix([0x20, 0x01, 0x0D, 0xB8]) { return .unusable }                             // 2001:db8::/32 documentation
        if prefix([0x3F, 0xFF]) && b[2] & 0xF0 == 0 { return .unusable }                     // 3fff::/20 documentation
        if prefix([0x20, 0x02]) { return .unusable }                                         // 2002::/16 6to4
        if prefix([0x01, 0x00, 0, 0, 0, 0, 0, 0]) { return .unusable }                       // 100::/64 discard
        if prefix([0x20, 0x01]) && b[2] & 0xFE == 0 {                                        // 2001::/23 IETF protocols
            return Self.isGlobalIETFProtocolAssignment(b) ? .publicInternet : .unusable
        }
        return .publicInternet
    }

    /// The entries of 2001::/23 that IANA marks globally reachable.
    private static func isGlobalIETFProtocolAssignment(_ b: [UInt8]) -> Bool {
        let word2 = UInt16(b[2]) << 8 | UInt16(b[3])
        if word2 == 0x0001, b[4..<15].allSatisfy({ $0 == 0 }), b[15] == 1 || b[15] == 2 { return true } // 2001:1::1, ::2
        if word2 == 0x0003 { return true }                                                             // 2001:3::/32 AMT
        if word2 == 0x0004, b[4] == 0x01, b[5] == 0x12 { return true }                                 // 2001:4:112::/48 AS112
        if word2 & 0xFFF0 == 0x0020 || word2 & 0xFFF0 == 0x0030 { return true }                        // 2001:20::/28, 2001:30::/28
        return false
    }

    private static func reach(ipv4 b: [UInt8]) -> Reach {
        switch (b[0], b[1], b[2]) {
        case (0, _, _), (224...255, _, _): return .unusable                         // 0/8, 224/4, 240/4, broadcast
        case (127, _, _), (10, _, _): return .privateNetwork                        // 127/8, 10/8
        case (172, 16...31, _), (192, 168, _), (169, 254, _): return .privateNetwork // 172.16/12, 192.168/16, 169.254/16
        case (100, 64...127, _): return .privateNetwork                             // 100.64/10 shared
        case (198, 18...19, _): return .unusable                                    // 198.18/15 benchmarking
        case (192, 0, 2), (198, 51, 100), (203, 0, 113): return .unusable           // TEST-NET-1, -2, -3
        case (192, 0, 0): return b[3] == 9 || b[3] == 10 ? .publicInternet : .unusable // 192.0.0/24 but PCP and TURN anycast
        default: return .publicInternet
        }
    }
}
