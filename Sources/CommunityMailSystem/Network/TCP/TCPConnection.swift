import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP connection on a non-blocking socket: reads and writes wait on the
/// ``SocketPoller`` (never on a thread of their own) until their deadline.
///
/// Made by ``connect(to:deadline:poller:)`` (a client) or handed to a ``TCPListener``'s
/// handler (a server's side, which also enforces the listener's idle timeout and lifetime).
/// `TCP_NODELAY` is on: protocol lines go out when written. One reader and one writer may
/// use a connection at the same time.
public final class TCPConnection: ByteStream {
    /// The local end.
    public let localAddress: SocketAddress
    /// The peer's end.
    public let remoteAddress: SocketAddress
    /// The most bytes one ``read(maximumCount:deadline:)`` returns, whatever its caller
    /// asks for. A read returns an array sized to what arrived, not to this.
    public let maximumReadSize: Int

    let socket: SocketDescriptor
    private let limits: Limits?
    private let lastActivity: Mutex<ContinuousClock.Instant>

    /// The idle timeout and lifetime a listener puts on the connections it accepts.
    struct Limits: Sendable {
        var idleTimeout: Duration?
        var expiry: ContinuousClock.Instant?
    }

    init(socket: SocketDescriptor, local: SocketAddress, remote: SocketAddress, maximumReadSize: Int, limits: Limits?) {
        self.socket = socket
        self.localAddress = local
        self.remoteAddress = remote
        self.maximumReadSize = max(1, maximumReadSize)
        self.limits = limits
        self.lastActivity = Mutex(.now)
        var one: Int32 = 1
        _ = try? socket.use { setsockopt($0, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) }
    }

    /// Opens a connection to `address`, waiting until `deadline` for the handshake.
    /// - Throws: ``NetworkError/connectionRefused(_:)`` when nothing listens there,
    ///   ``NetworkError/timedOut(_:)``, ``NetworkError/unreachable(_:)``,
    ///   ``NetworkError/cancelled(_:)``, or another system failure.
    public static func connect(
        to address: SocketAddress, deadline: ContinuousClock.Instant, maximumReadSize: Int = 65_536,
        poller: SocketPoller = .shared
    ) async throws(NetworkError) -> TCPConnection {
        let socket = try SocketDescriptor.open(family: address.family, type: SocketType.stream, poller: poller)
        do throws(NetworkError) {
            let (result, failure) = try socket.use { descriptor in
                address.withSockaddr { pointer, length in
                    let result = systemConnect(descriptor, pointer, length)
                    return (result, result == 0 ? 0 : errno)
                }
            }
            if result != 0 {
                guard failure == EINPROGRESS || failure == EINTR else {
                    throw NetworkError.system("connect to \(address)", errno: failure)
                }
                try await finishConnecting(socket, to: address, deadline: deadline)
            }
            let local = try socket.use { descriptor in
                SocketAddress.filling { getsockname(descriptor, $0, $1) }.1
            }
            return TCPConnection(socket: socket, local: local ?? .unspecified(like: address), remote: address,
                                 maximumReadSize: maximumReadSize, limits: nil)
        } catch {
            socket.close()
            throw error
        }
    }

    /// Waits until a non-blocking connect's handshake ends. Writability alone is not taken
    /// as connected: the socket must have a peer (`getpeername()`), so a wake-up that was not
    /// this handshake's (defence in depth behind the poller's own bookkeeping) waits again.
    private static func finishConnecting(
        _ socket: SocketDescriptor, to address: SocketAddress, deadline: ContinuousClock.Instant
    ) async throws(NetworkError) {
        while true {
            do throws(NetworkError) {
                try await socket.wait(forWriting: true, deadline: deadline)
            } catch where error == .timedOut("") {
                throw NetworkError.timedOut("connect to \(address): no answer before the deadline")
            }
            let (status, peerFailure) = try socket.use { descriptor -> (Int32, Int32) in
                var status: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &status, &length)
                guard status == 0 else { return (status, 0) }
                let (failure, _) = SocketAddress.filling { getpeername(descriptor, $0, $1) == 0 ? 0 : errno }
                return (0, failure)
            }
            guard status == 0 else { throw NetworkError.system("connect to \(address)", errno: status) }
            if peerFailure == 0 { return }
            guard peerFailure == ENOTCONN else { throw NetworkError.system("connect to \(address)", errno: peerFailure) }
            // Not connected yet, or failed with its error already taken: a second connect()
            // tells which without a busy loop (EALREADY: still under way).
            let again = try socket.use { descriptor in
                address.withSockaddr { pointer, length in systemConnect(descriptor, pointer, length) == 0 ? 0 : errno }
            }
            if again == 0 || again == EISCONN { return }
            guard again == EALREADY || again == EINPROGRESS || again == EINTR else {
                throw NetworkError.system("connect to \(address)", errno: again)
            }
        }
    }

    /// Reads what has arrived, at most `maximumCount` bytes (and at most
    /// ``maximumReadSize``); an empty array when the peer closed its side.
    /// - Throws: ``NetworkError/timedOut(_:)`` at `deadline` (or at the listener's idle
    ///   timeout or lifetime, which also close the connection), ``NetworkError/closed(_:)``
    ///   after ``close()``, ``NetworkError/cancelled(_:)``, or the system's failure.
    public func read(maximumCount: Int, deadline: ContinuousClock.Instant) async throws(NetworkError) -> [UInt8] {
        let count = min(max(1, maximumCount), maximumReadSize)
        while true {
            var failure: Int32 = 0
            let bytes = try socket.use { descriptor in
                ReadBuffer.receive(upTo: count) { buffer in
                    let received = recv(descriptor, buffer.baseAddress, buffer.count, 0)
                    if received < 0 { failure = errno }
                    return received
                }
            }
            if failure == 0 {
                noteActivity()
                return bytes
            }
            guard failure == EAGAIN || failure == EWOULDBLOCK || failure == EINTR else {
                throw NetworkError.system("recv from \(remoteAddress)", errno: failure)
            }
            try await waitForSocket(forWriting: false, deadline: deadline)
        }
    }

    /// Writes all of `bytes`, waiting while the peer is slow to take them.
    /// - Throws: ``NetworkError/timedOut(_:)`` at `deadline` (or the listener's limits),
    ///   ``NetworkError/connectionReset(_:)`` when the peer is gone,
    ///   ``NetworkError/closed(_:)`` after ``close()`` or ``shutdownWrite()``.
    public func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(NetworkError) {
        var sent = 0
        while sent < bytes.count {
            var failure: Int32 = 0
            let count = try socket.use { descriptor in
                bytes[sent...].withUnsafeBytes { raw in
                    let count = send(descriptor, raw.baseAddress, raw.count, SocketType.noSignal)
                    if count < 0 { failure = errno }
                    return count
                }
            }
            if count > 0 {
                sent += count
                noteActivity()
                continue
            }
            guard failure == EAGAIN || failure == EWOULDBLOCK || failure == EINTR else {
                if failure == EPIPE { throw NetworkError.connectionReset("send to \(remoteAddress): the connection is closed") }
                throw NetworkError.system("send to \(remoteAddress)", errno: failure)
            }
            try await waitForSocket(forWriting: true, deadline: deadline)
        }
    }

    /// Half-closes the connection: sends the end of the stream (FIN), so the peer reads an
    /// empty array, while this side can still read its answer.
    public func shutdownWrite() {
        _ = try? socket.use { shutdown($0, Int32(SHUT_WR)) }
    }

    /// Closes the connection both ways and wakes any read or write waiting on it (they
    /// throw ``NetworkError/closed(_:)``). Closing twice is harmless.
    public func close() async {
        socket.close()
    }

    /// Whether ``close()`` was called (or a limit closed the connection).
    public var isClosed: Bool { socket.isClosed }

    // MARK: - Waiting within the deadline and the limits

    private func noteActivity() {
        guard limits?.idleTimeout != nil else { return }
        lastActivity.withLock { $0 = .now }
    }

    /// Waits for the socket until `deadline` or the listener's idle timeout or lifetime,
    /// whichever is first; passing a limit closes the connection.
    private func waitForSocket(forWriting: Bool, deadline: ContinuousClock.Instant) async throws(NetworkError) {
        var effective = deadline
        var limit: String?
        if let limits {
            if let idle = limits.idleTimeout {
                let idleDeadline = lastActivity.withLock { $0 } + idle
                if idleDeadline < effective { (effective, limit) = (idleDeadline, "the connection was idle too long") }
            }
            if let expiry = limits.expiry, expiry < effective { (effective, limit) = (expiry, "the connection outlived its lifetime") }
        }
        do throws(NetworkError) {
            if ContinuousClock.now >= effective { throw NetworkError.timedOut("the deadline passed") }
            try await socket.wait(forWriting: forWriting, deadline: effective)
        } catch where error == .timedOut("") {
            if let limit {
                socket.close()
                throw NetworkError.timedOut(limit)
            }
            throw NetworkError.timedOut("\(forWriting ? "send to" : "recv from") \(remoteAddress): the deadline passed")
        }
    }
}

/// Socket constants that Glibc and Darwin spell differently.
enum SocketType {
    #if canImport(Glibc)
    static let stream = Int32(SOCK_STREAM.rawValue)
    static let datagram = Int32(SOCK_DGRAM.rawValue)
    static let noSignal = Int32(MSG_NOSIGNAL)
    #else
    static let stream = SOCK_STREAM
    static let datagram = SOCK_DGRAM
    static let noSignal: Int32 = 0  // SO_NOSIGPIPE is set on the socket instead
    #endif
}

private func systemConnect(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(descriptor, address, length)
}
