import Synchronization

#if canImport(Glibc)
import CommunityMailCSystem
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The connections a listener serves and what its accept loop waits for.
struct ListenerRegistry: Sendable {
    var serving = false
    var closed = false
    /// ``TCPListener/stopAccepting()`` was called: no new connection, the served ones stay.
    var stoppedAccepting = false
    var served = 0
    var rejecting = 0
    var perAddress: [InternetAddress: Int] = [:]
    var connections: [ObjectIdentifier: TCPConnection] = [:]
    /// The accept loop, paused at the limit; resumed with false when the listener closes.
    var slotWaiter: CheckedContinuation<Bool, Never>?
}

extension TCPListener {
    /// What becomes of one accepted connection.
    private enum Admission {
        case serve
        case reject(TCPListener.Rejection)
        case drop
    }

    /// Accepts until the listener closes; nil then, or the failure that stopped it.
    func acceptLoop(
        group: inout DiscardingTaskGroup,
        handler: @escaping @Sendable (TCPConnection) async -> Void,
        rejected: @escaping @Sendable (TCPConnection, Rejection) async -> Void
    ) async -> NetworkError? {
        while true {
            if configuration.whenFull == .pauseAccepting {
                guard await waitForSlot() else { return nil }
            }
            let accepted: (SocketDescriptor, SocketAddress)
            do {
                accepted = try await acceptOne()
            } catch {
                if error == .closed("") || error == .cancelled("") || socket.isClosed { return nil }
                if error == .limitReached("") || error == .connectionReset("") {
                    // Out of descriptors, or a client gone before accept(): others may follow.
                    try? await Task.sleep(for: .milliseconds(100))
                    continue
                }
                return error
            }
            let (descriptor, remote) = accepted
            let local = (try? descriptor.use { fd in SocketAddress.filling { getsockname(fd, $0, $1) }.1 }) ?? nil
            let admission = admit(remote.address)
            let now = ContinuousClock.now
            switch admission {
            case .drop:
                descriptor.close()
            case .serve:
                let connection = TCPConnection(
                    socket: descriptor, local: local ?? localAddress, remote: remote, maximumReadSize: configuration.maximumReadSize,
                    limits: .init(idleTimeout: configuration.idleTimeout, expiry: configuration.lifetime.map { now + $0 }))
                guard track(connection) else {
                    descriptor.close()
                    release(connection, served: true)  // counted in by admit()
                    return nil
                }
                group.addTask {
                    await handler(connection)
                    await connection.close()
                    self.release(connection, served: true)
                }
            case .reject(let reason):
                let connection = TCPConnection(
                    socket: descriptor, local: local ?? localAddress, remote: remote, maximumReadSize: configuration.maximumReadSize,
                    limits: .init(idleTimeout: nil, expiry: now + configuration.rejectionLifetime))
                guard track(connection) else {
                    descriptor.close()
                    release(connection, served: false)  // counted in by admit()
                    return nil
                }
                group.addTask {
                    await rejected(connection, reason)
                    await connection.close()
                    self.release(connection, served: false)
                }
            }
        }
    }

    /// True when the accept loop may go on (a slot is free), false when the listener closed.
    private func waitForSlot() async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let answer: Bool? = registry.withLock { registry in
                if registry.closed || registry.stoppedAccepting { return false }
                if registry.served < configuration.maximumConnections { return true }
                registry.slotWaiter = continuation
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    /// Counts the connection in (as served or as rejected) and decides.
    private func admit(_ address: InternetAddress) -> Admission {
        registry.withLock { registry in
            let fromAddress = registry.perAddress[address, default: 0]
            let reason: Rejection? =
                if registry.served >= configuration.maximumConnections { .tooManyConnections }
                else if fromAddress >= configuration.maximumConnectionsPerAddress { .tooManyFromAddress }
                else { nil }
            guard let reason else {
                registry.served += 1
                registry.perAddress[address] = fromAddress + 1
                return .serve
            }
            guard registry.rejecting < configuration.maximumRejectionsInFlight else { return .drop }
            registry.rejecting += 1
            return .reject(reason)
        }
    }

    /// Remembers the connection so `close()` reaches it; false when the listener closed.
    private func track(_ connection: TCPConnection) -> Bool {
        registry.withLock { registry in
            guard !registry.closed, !registry.stoppedAccepting else { return false }
            registry.connections[ObjectIdentifier(connection)] = connection
            return true
        }
    }

    /// Counts a finished connection out and wakes a paused accept loop.
    private func release(_ connection: TCPConnection, served: Bool) {
        let waiter = registry.withLock { registry -> CheckedContinuation<Bool, Never>? in
            registry.connections[ObjectIdentifier(connection)] = nil
            guard served else {
                registry.rejecting -= 1
                return nil
            }
            registry.served -= 1
            let address = connection.remoteAddress.address
            let remaining = registry.perAddress[address, default: 1] - 1
            registry.perAddress[address] = remaining > 0 ? remaining : nil
            guard registry.served < configuration.maximumConnections else { return nil }
            defer { registry.slotWaiter = nil }
            return registry.slotWaiter
        }
        waiter?.resume(returning: true)
    }

    /// One `accept()`, waiting on the poller while none is pending.
    private func acceptOne() async throws(NetworkError) -> (SocketDescriptor, SocketAddress) {
        while true {
            var failure: Int32 = 0
            let (descriptor, remote) = try socket.use { listening in
                SocketAddress.filling { address, length -> Int32 in
                    let descriptor = Self.acceptCloseOnExecNonBlocking(listening, address, length)
                    if descriptor < 0 { failure = errno }
                    return descriptor
                }
            }
            if descriptor >= 0 {
                let socket = SocketDescriptor(descriptor, poller: socket.poller)
                guard let remote else {
                    socket.close()
                    continue
                }
                return (socket, remote)
            }
            switch failure {
            case EAGAIN, EWOULDBLOCK, EINTR:
                do throws(NetworkError) {
                    try await socket.wait(forWriting: false, deadline: .now + .seconds(3600))
                } catch where error == .timedOut("") {
                    continue
                }
            case ECONNABORTED, EPROTO, ENOPROTOOPT, ENETDOWN, ENETUNREACH, EHOSTUNREACH, EHOSTDOWN, EOPNOTSUPP, EPERM:
                // Linux reports the pending connection's own network errors (and a
                // firewall's refusal) from accept(): that client is gone, the listener is fine.
                continue
            default:
                throw NetworkError.system("accept on \(localAddress)", errno: failure)
            }
        }
    }

    /// `accept()` whose socket is close-on-exec and non-blocking from its first moment: on
    /// Linux one `accept4()` call, so a fork+exec on another thread (a host's child
    /// process, a test's peer) never inherits a connection. Darwin has no `accept4()`; its
    /// flags follow at once.
    private static func acceptCloseOnExecNonBlocking(
        _ listening: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: UnsafeMutablePointer<socklen_t>
    ) -> Int32 {
        #if canImport(Darwin)
        let descriptor = accept(listening, address, length)
        if descriptor >= 0 {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            var one: Int32 = 1
            _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        return descriptor
        #else
        communitymail_accept_cloexec_nonblock(listening, address, length)
        #endif
    }
}
