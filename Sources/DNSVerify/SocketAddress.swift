#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A socket address for IPv4 or IPv6, comparable by family, address and port.
struct SocketAddress: Equatable {
    private var storage = sockaddr_storage()
    private(set) var length: socklen_t

    var family: Int32 { Int32(storage.ss_family) }

    init(_ server: DNSNameserver) {
        if server.address.isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = server.port.bigEndian
            withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: server.address.bytes) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address) { raw.copyMemory(from: $0) } }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = server.port.bigEndian
            withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: server.address.bytes) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address) { raw.copyMemory(from: $0) } }
        }
    }

    static func any(family: Int32) -> SocketAddress {
        family == AF_INET6
            ? SocketAddress(DNSNameserver(address: DNSAddress(validated: [UInt8](repeating: 0, count: 16)), port: 0))
            : SocketAddress(DNSNameserver(address: DNSAddress(validated: [0, 0, 0, 0]), port: 0))
    }

    /// The address and port, or nil for a family other than IPv4 and IPv6.
    var nameserver: DNSNameserver? {
        withUnsafeBytes(of: storage) { raw -> DNSNameserver? in
            if family == AF_INET6 {
                let address = raw.load(as: sockaddr_in6.self)
                let bytes = withUnsafeBytes(of: address.sin6_addr) { Array($0) }
                return (try? DNSAddress(bytes: bytes)).map { DNSNameserver(address: $0, port: UInt16(bigEndian: address.sin6_port)) }
            } else if family == AF_INET {
                let address = raw.load(as: sockaddr_in.self)
                let bytes = withUnsafeBytes(of: address.sin_addr) { Array($0) }
                return (try? DNSAddress(bytes: bytes)).map { DNSNameserver(address: $0, port: UInt16(bigEndian: address.sin_port)) }
            }
            return nil
        }
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), length) }
    }

    mutating func withMutableSockaddr<R>(_ body: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> R) -> R {
        var size = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutableBytes(of: &storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), &size) }
        length = size
        return result
    }

    static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool {
        guard let left = lhs.nameserver, let right = rhs.nameserver else { return false }
        return left == right
    }
}
