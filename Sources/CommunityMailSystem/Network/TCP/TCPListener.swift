import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP server socket: binds and listens, and ``serve(_:rejected:)`` accepts connections
/// and runs a handler for each, within the limits of its ``Configuration``.
///
/// At ``Configuration/maximumConnections`` the listener stops accepting (the kernel's
/// backlog holds the next clients) until a handler returns, unless
/// ``Configuration/whenFull`` says to reject. A client over
/// ``Configuration/maximumConnectionsPerAddress`` is accepted and handed to the `rejected`
/// handler with the reason, so a protocol can say why before closing (SMTP's "421"); that
/// handler's connection lives at most ``Configuration/rejectionLifetime``.
///
/// ```swift
/// let listener = try TCPListener(address: try SocketAddress("127.0.0.1:0"))
/// print("listening on", listener.localAddress)
/// try await listener.serve { connection in
///     // read and write; the connection is closed when this returns
/// } rejected: { connection, reason in
///     try? await connection.write(Array("421 busy\r\n".utf8), deadline: .now + .seconds(5))
/// }
/// ```
public final class TCPListener: Sendable {
    /// Limits on what a listener accepts.
    public struct Configuration: Sendable {
        /// The most connections served at once. Default: 512.
        public var maximumConnections = 512
        /// The most connections served at once for one client address (any port). Default: 16.
        public var maximumConnectionsPerAddress = 16
        /// What happens at ``maximumConnections``. Default: ``WhenFull/pauseAccepting``.
        public var whenFull = WhenFull.pauseAccepting
        /// How long a served connection may go without a byte read or written while its
        /// handler reads or writes; passing it closes the connection. Default: 5 minutes
        /// (RFC 5321's server timeout), nil for none.
        public var idleTimeout: Duration? = .seconds(300)
        /// The longest a served connection lives; passing it closes the connection at its
        /// next read or write. Default: 1 hour, nil for none.
        public var lifetime: Duration? = .seconds(3600)
        /// The longest a rejected connection lives (time for one reply). Default: 10 s.
        public var rejectionLifetime: Duration = .seconds(10)
        /// The most rejected connections being answered at once; beyond that they are
        /// closed at once. Default: 64.
        public var maximumRejectionsInFlight = 64
        /// The most bytes one read on a connection returns and buffers. Default: 64 KiB.
        public var maximumReadSize = 65_536
        /// The kernel's queue of connections not yet accepted (`listen()`). Default: 128.
        public var backlog: Int32 = 128

        /// The defaults above.
        public init() {}
    }

    /// What a full listener does.
    public enum WhenFull: Sendable, Hashable {
        /// Stop accepting until a connection ends: clients wait in the kernel's backlog.
        case pauseAccepting
        /// Keep accepting and hand the extra connections to the `rejected` handler.
        case reject
    }

    /// Why a connection was handed to the `rejected` handler.
    public enum Rejection: Sendable, Hashable {
        /// ``Configuration/maximumConnections`` were being served (with ``WhenFull/reject``).
        case tooManyConnections
        /// ``Configuration/maximumConnectionsPerAddress`` came from this client's address.
        case tooManyFromAddress
    }

    /// Where the listener listens, with the port the kernel chose when asked for port 0.
    public let localAddress: SocketAddress
    /// The limits.
    public let configuration: Configuration

    let socket: SocketDescriptor
    let registry: Mutex<ListenerRegistry>

    /// Binds to `address` (port 0: the kernel chooses) and listens.
    /// - Throws: ``NetworkError/addressInUse(_:)``, ``NetworkError/invalidAddress(_:)``, or
    ///   another system failure.
    public init(address: SocketAddress, configuration: Configuration = Configuration(), poller: SocketPoller = .shared)
        throws(NetworkError) {
        var configuration = configuration
        configuration.maximumConnections = max(1, configuration.maximumConnections)
        configuration.maximumConnectionsPerAddress = max(1, configuration.maximumConnectionsPerAddress)
        configuration.maximumRejectionsInFlight = max(0, configuration.maximumRejectionsInFlight)
        let socket = try SocketDescriptor.open(family: address.family, type: SocketType.stream, poller: poller)
        do throws(NetworkError) {
            let bound = try socket.use { descriptor -> Result<SocketAddress, NetworkError> in
                var one: Int32 = 1
                _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
                guard address.withSockaddr({ bind(descriptor, $0, $1) }) == 0 else {
                    return .failure(.system("bind to \(address)", errno: errno))
                }
                guard listen(descriptor, configuration.backlog) == 0 else {
                    return .failure(.system("listen on \(address)", errno: errno))
                }
                let local = SocketAddress.filling { getsockname(descriptor, $0, $1) }.1
                return .success(local ?? address)
            }.get()
            localAddress = bound
        } catch {
            socket.close()
            throw error
        }
        self.socket = socket
        self.configuration = configuration
        self.registry = Mutex(ListenerRegistry())
    }

    /// Accepts connections until ``close()`` or the task's cancellation, running `handler`
    /// for each (in a child task; the connection is closed when it returns) and `rejected`
    /// for those over a limit. Returns after every handler has returned.
    /// - Throws: the failure that stopped accepting, other than the listener's closing
    ///   (a second call throws ``NetworkError/closed(_:)``).
    public func serve(
        _ handler: @escaping @Sendable (TCPConnection) async -> Void,
        rejected: @escaping @Sendable (TCPConnection, Rejection) async -> Void = { _, _ in }
    ) async throws(NetworkError) {
        let starts = registry.withLock { registry -> Bool in
            guard !registry.serving, !registry.closed, !registry.stoppedAccepting else { return false }
            registry.serving = true
            return true
        }
        guard starts else { throw NetworkError.closed("the listener is closed or already serving") }
        let failure: NetworkError? = await withTaskCancellationHandler {
            // A discarding group forgets each finished handler at once (a plain group would
            // keep every connection ever served until the loop ends) and still waits for
            // the running ones before it returns.
            await withDiscardingTaskGroup { group in
                let failure = await acceptLoop(group: &group, handler: handler, rejected: rejected)
                // After stopAccepting() the connections stay open until their handlers end.
                if failure != nil || !registry.withLock({ $0.stoppedAccepting }) { close() }
                return failure
            }
        } onCancel: {
            close()
        }
        if let failure { throw failure }
    }

    /// Stops accepting and closes every connection (their handlers' reads and writes end with
    /// ``NetworkError/closed(_:)``); ``serve(_:rejected:)`` returns when the handlers have
    /// returned. Closing twice is harmless.
    public func close() {
        let (connections, slotWaiter) = registry.withLock { registry in
            registry.closed = true
            defer { registry.slotWaiter = nil }
            return (Array(registry.connections.values), registry.slotWaiter)
        }
        socket.close()
        slotWaiter?.resume(returning: false)
        for connection in connections { connection.socket.close() }
    }

    /// Stops accepting and leaves the connections being served open (a server's graceful
    /// shutdown: each session ends when its protocol allows): the listening socket closes,
    /// so the kernel refuses new clients, and ``serve(_:rejected:)`` returns once the
    /// running handlers have returned. ``close()`` still closes the connections later.
    /// Calling it twice, or after ``close()``, is harmless.
    public func stopAccepting() {
        let slotWaiter = registry.withLock { registry in
            registry.stoppedAccepting = true
            defer { registry.slotWaiter = nil }
            return registry.slotWaiter
        }
        socket.close()
        slotWaiter?.resume(returning: false)
    }

    /// How many connections are being served now (rejected ones not counted).
    public var connectionCount: Int { registry.withLock { $0.served } }
}
