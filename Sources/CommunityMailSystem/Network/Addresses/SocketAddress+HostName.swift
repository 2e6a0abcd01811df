#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SocketAddress {
    /// The TCP addresses `host` (a name, or an address literal) resolves to, in the order
    /// the system's resolver gives them (`getaddrinfo`, with `/etc/hosts` and the
    /// configured DNS), each with `port`. The look-up runs on `executor`, never on Swift's
    /// cooperative pool.
    /// - Throws: ``NetworkError/invalidAddress(_:)`` for an empty host or a name that does
    ///   not exist, ``NetworkError/unreachable(_:)`` (transient) for any other resolver
    ///   failure: no answer now, a server failure, or the system out of resources. The message names the host, which is configuration, not data.
    public static func resolve(
        host: String, port: UInt16, executor: BlockingExecutor = .shared
    ) async throws(NetworkError) -> [SocketAddress] {
        if let literal = InternetAddress(host) { return [SocketAddress(address: literal, port: port)] }
        guard !host.isEmpty, !host.utf8.contains(0) else { throw NetworkError.invalidAddress("an empty or invalid host name") }
        return try await executor.run { () throws(NetworkError) -> [SocketAddress] in
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var results: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, nil, &hints, &results)
            defer { if let results { freeaddrinfo(results) } }
            guard status == 0 else {
                let reason = String(cString: gai_strerror(status))
                // Only "no such name" and "no address for it" answer for the name; any other
                // failure (no answer yet, a server failure, no memory or descriptors left)
                // may pass, so mail is deferred on it, not bounced.
                if status == EAI_NONAME || status == nameHasNoAddress { throw NetworkError.invalidAddress("resolving \(host): \(reason)") }
                throw NetworkError.unreachable("resolving \(host): \(reason)")
            }
            var addresses: [SocketAddress] = []
            var current = results
            while let info = current {
                if let pointer = info.pointee.ai_addr {
                    var storage = sockaddr_storage()
                    let length = min(Int(info.pointee.ai_addrlen), MemoryLayout<sockaddr_storage>.size)
                    withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: length)) }
                    if var address = SocketAddress(storage, length: socklen_t(length)), !addresses.contains(where: { $0.address == address.address }) {
                        address.port = port
                        addresses.append(address)
                    }
                }
                current = info.pointee.ai_next
            }
            guard !addresses.isEmpty else { throw NetworkError.invalidAddress("\(host) has no IPv4 or IPv6 address") }
            return addresses
        }
    }

    /// ``resolve(host:port:executor:)`` bounded by `deadline`: throws
    /// ``NetworkError/timedOut(_:)`` when the resolver has not answered by then (or
    /// ``NetworkError/cancelled(_:)`` when the task is cancelled). The look-up itself cannot
    /// be interrupted: it keeps its executor thread until the system's resolver returns,
    /// and its answer is dropped.
    public static func resolve(
        host: String, port: UInt16, deadline: ContinuousClock.Instant, executor: BlockingExecutor = .shared
    ) async throws(NetworkError) -> [SocketAddress] {
        if let literal = InternetAddress(host) { return [SocketAddress(address: literal, port: port)] }
        return try await DeadlineRace.run(until: deadline, timedOut: .timedOut("resolving \(host): no answer before the deadline")) {
            () throws(NetworkError) -> [SocketAddress] in
            try await resolve(host: host, port: port, executor: executor)
        }
    }
}

#if canImport(Glibc)
/// glibc's `EAI_NODATA` (the name exists, with no address), which its headers declare only
/// under `_GNU_SOURCE`, so Swift's Glibc module does not show it; the value is glibc's ABI.
private let nameHasNoAddress: Int32 = -5
#else
private let nameHasNoAddress = EAI_NODATA
#endif
