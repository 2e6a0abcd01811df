#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a socket is: an IPv4 or IPv6 address and a port. Two socket addresses are equal
/// when family, address and port are.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address.
    public var address: InternetAddress
    /// The port (0 when binding: the kernel chooses one).
    public var port: UInt16

    /// `address`, `port`.
    public init(address: InternetAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// An address from text: `127.0.0.1:2525` or `[::1]:2525` (the port is required, 0 to
    /// 65535; IPv6 in brackets).
    /// - Throws: ``NetworkError/invalidAddress(_:)`` for anything else.
    public init(_ text: String) throws(NetworkError) {
        let invalid = NetworkError.invalidAddress("not an address:port (192.0.2.1:25 or [2001:db8::1]:25)")
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw invalid }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw invalid }
            portText = rest.dropFirst()
            guard host.contains(":") else { throw invalid }
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { throw invalid }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber), let port = UInt16(portText),
              let address = InternetAddress(String(host))
        else { throw invalid }
        self.init(address: address, port: port)
    }

    /// Every local address of the same family as `address`, port 0: where a client socket
    /// binds before it sends (a kernel-chosen random port).
    public static func unspecified(like address: SocketAddress) -> SocketAddress {
        SocketAddress(address: address.address.isIPv6 ? .anyIPv6 : .anyIPv4, port: 0)
    }

    /// `address:port`, IPv6 addresses in brackets.
    public var description: String { address.isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)" }
}

// MARK: - sockaddr bridging (the system layer only)

extension SocketAddress {
    /// The `AF_INET` or `AF_INET6` family.
    var family: Int32 { address.isIPv6 ? AF_INET6 : AF_INET }

    /// The address read from a `sockaddr` the kernel filled; nil for a family other than
    /// IPv4 and IPv6 (or a length too short for it).
    init?(_ storage: sockaddr_storage, length: socklen_t) {
        let parsed: SocketAddress? = withUnsafeBytes(of: storage) { raw in
            switch Int32(storage.ss_family) {
            case AF_INET where Int(length) >= MemoryLayout<sockaddr_in>.size:
                let value = raw.load(as: sockaddr_in.self)
                let bytes = withUnsafeBytes(of: value.sin_addr) { Array($0) }
                return SocketAddress(address: InternetAddress(bytes: bytes), port: UInt16(bigEndian: value.sin_port))
            case AF_INET6 where Int(length) >= MemoryLayout<sockaddr_in6>.size:
                let value = raw.load(as: sockaddr_in6.self)
                let bytes = withUnsafeBytes(of: value.sin6_addr) { Array($0) }
                return SocketAddress(address: InternetAddress(bytes: bytes), port: UInt16(bigEndian: value.sin6_port))
            default:
                return nil
            }
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Calls `body` with this address as a `sockaddr` and its length.
    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        var storage = sockaddr_storage()
        let length: socklen_t
        if address.isIPv6 {
            var value = sockaddr_in6()
            value.sin6_family = sa_family_t(AF_INET6)
            value.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &value.sin6_addr) { $0.copyBytes(from: address.bytes) }
            length = Self.copy(value, into: &storage)
        } else {
            var value = sockaddr_in()
            value.sin_family = sa_family_t(AF_INET)
            value.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &value.sin_addr) { $0.copyBytes(from: address.bytes) }
            length = Self.copy(value, into: &storage)
        }
        return withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// Copies a `sockaddr_in` or `sockaddr_in6` into `storage` and returns its length.
    private static func copy<Address>(_ value: Address, into storage: inout sockaddr_storage) -> socklen_t {
        withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: value) { raw.copyMemory(from: $0) } }
        return socklen_t(MemoryLayout<Address>.size)
    }

    /// Runs `body` with room for a `sockaddr` the kernel fills (`recvfrom`, `accept`,
    /// `getsockname`) and reads the address it left there.
    static func filling<Value>(
        _ body: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Value
    ) -> (Value, SocketAddress?) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let value = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, &length) }
        }
        return (value, SocketAddress(storage, length: length))
    }
}
