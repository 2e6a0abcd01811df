#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A UDP socket on a non-blocking descriptor: sends datagrams to any address and receives
/// them with their source, waiting on the ``SocketPoller`` until a deadline.
public final class UDPSocket: Sendable {
    /// One datagram received.
    public struct Datagram: Sendable, Hashable {
        /// Its bytes (cut to the receive size asked for; the array holds no more than these).
        public var bytes: [UInt8]
        /// Who sent it: address and port.
        public var source: SocketAddress

        /// A datagram of `bytes` from `source`.
        public init(bytes: [UInt8], source: SocketAddress) {
            self.bytes = bytes
            self.source = source
        }
    }

    /// The bound address, with the port the kernel chose when asked for port 0.
    public let localAddress: SocketAddress
    let socket: SocketDescriptor

    /// A socket bound to `address` (port 0: a kernel-chosen random port, what a client
    /// asking a DNS server wants, RFC 5452).
    /// - Throws: ``NetworkError/addressInUse(_:)``, ``NetworkError/invalidAddress(_:)``, or
    ///   another system failure.
    public init(bindingTo address: SocketAddress, poller: SocketPoller = .shared) throws(NetworkError) {
        let socket = try SocketDescriptor.open(family: address.family, type: SocketType.datagram, poller: poller)
        let bound = try? socket.use { descriptor -> Result<SocketAddress, NetworkError> in
            guard address.withSockaddr({ bind(descriptor, $0, $1) }) == 0 else {
                return .failure(.system("bind to \(address)", errno: errno))
            }
            return .success(SocketAddress.filling { getsockname(descriptor, $0, $1) }.1 ?? address)
        }
        switch bound {
        case .success(let local)?:
            localAddress = local
        case .failure(let error)?:
            socket.close()
            throw error
        case nil:
            throw NetworkError.closed("the socket closed while binding")
        }
        self.socket = socket
    }

    /// Sends `bytes` as one datagram to `destination`, waiting until `deadline` while the
    /// socket's send buffer is full.
    /// - Throws: ``NetworkError/timedOut(_:)``, ``NetworkError/closed(_:)``, or the system's
    ///   failure (an oversized datagram, an unreachable network).
    public func send(_ bytes: [UInt8], to destination: SocketAddress, deadline: ContinuousClock.Instant) async throws(NetworkError) {
        while true {
            var failure: Int32 = 0
            let sent = try socket.use { descriptor in
                destination.withSockaddr { address, length in
                    bytes.withUnsafeBytes { raw in
                        let sent = sendto(descriptor, raw.baseAddress, raw.count, SocketType.noSignal, address, length)
                        if sent < 0 { failure = errno }
                        return sent
                    }
                }
            }
            if sent >= 0 { return }
            guard failure == EAGAIN || failure == EWOULDBLOCK || failure == EINTR else {
                throw NetworkError.system("sendto \(destination)", errno: failure)
            }
            try await socket.wait(forWriting: true, deadline: deadline)
        }
    }

    /// Receives the next datagram, at most `maximumCount` bytes of it, waiting until
    /// `deadline`.
    /// - Throws: ``NetworkError/timedOut(_:)``, ``NetworkError/cancelled(_:)``,
    ///   ``NetworkError/closed(_:)``, or the failure the system reports for the socket (an
    ///   ICMP port unreachable may show as ``NetworkError/connectionRefused(_:)``).
    public func receive(maximumCount: Int = 65_535, deadline: ContinuousClock.Instant) async throws(NetworkError) -> Datagram {
        let count = max(1, maximumCount)
        while true {
            var failure: Int32 = 0
            let (bytes, source) = try socket.use { descriptor in
                SocketAddress.filling { address, length in
                    ReadBuffer.receive(upTo: count) { buffer in
                        let received = recvfrom(descriptor, buffer.baseAddress, buffer.count, 0, address, length)
                        if received < 0 { failure = errno }
                        return received
                    }
                }
            }
            if failure == 0 {
                // A datagram from a family we cannot name is skipped.
                guard let source else { continue }
                return Datagram(bytes: bytes, source: source)
            }
            guard failure == EAGAIN || failure == EWOULDBLOCK || failure == EINTR else {
                throw NetworkError.system("recvfrom", errno: failure)
            }
            try await socket.wait(forWriting: false, deadline: deadline)
        }
    }

    /// Closes the socket; a receive waiting on it throws ``NetworkError/closed(_:)``.
    /// Closing twice is harmless.
    public func close() {
        socket.close()
    }

    deinit { socket.close() }
}
