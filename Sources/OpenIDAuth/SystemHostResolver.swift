import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves names with the system's `getaddrinfo`. The call blocks, so each lookup runs on
/// its own thread, never on Swift's cooperative pool; at most
/// ``maximumConcurrentLookups`` run at once, and a lookup beyond that is refused rather
/// than queued (a flood of sign-ins must not pile up threads).
public final class SystemHostResolver: OpenIDHostResolver {
    /// Lookups allowed to run at once. Default: 16.
    public let maximumConcurrentLookups: Int
    private let running = Atomic<Int>(0)

    /// A resolver.
    public init(maximumConcurrentLookups: Int = 16) {
        self.maximumConcurrentLookups = max(1, maximumConcurrentLookups)
    }

    /// The numeric addresses of `host`, IPv4 and IPv6.
    /// - Throws: ``OpenIDError/refusedURL`` when the name does not resolve or too many
    ///   lookups are running.
    public func addresses(of host: String) async throws(OpenIDError) -> [String] {
        guard running.add(1, ordering: .acquiringAndReleasing).newValue <= maximumConcurrentLookups else {
            running.subtract(1, ordering: .acquiringAndReleasing)
            throw OpenIDError.refusedURL.with(message: "too many host name lookups are running")
        }
        let result: [String]? = await withCheckedContinuation { continuation in
            let thread = Thread {
                let answer = Self.lookUp(host)
                self.running.subtract(1, ordering: .acquiringAndReleasing)
                continuation.resume(returning: answer)
            }
            thread.start()
        }
        guard let result, !result.isEmpty else {
            throw OpenIDError.refusedURL.with(message: "a host name did not resolve")
        }
        return result
    }

    /// Blocking: getaddrinfo, then each address in numeric form.
    private static func lookUp(_ host: String) -> [String]? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &results) == 0, let first = results else { return nil }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let info = current {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                addresses.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            current = info.pointee.ai_next
        }
        return addresses
    }
}
