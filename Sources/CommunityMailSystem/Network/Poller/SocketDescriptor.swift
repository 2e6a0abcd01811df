import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A non-blocking socket's file descriptor, closed exactly once and never while a system
/// call uses it: `close()` marks it closed, wakes its waiters, and the number is released
/// when the last call in flight returns. So a reader woken by a close can never read from
/// another socket that got the same number.
final class SocketDescriptor: Sendable {
    private struct State {
        var descriptor: Int32
        var closed = false
        var users = 0
    }

    private let state: Mutex<State>
    let poller: SocketPoller

    /// Takes ownership of `descriptor`, which must be non-blocking.
    init(_ descriptor: Int32, poller: SocketPoller) {
        state = Mutex(State(descriptor: descriptor))
        self.poller = poller
    }

    /// A new non-blocking, close-on-exec socket.
    static func open(family: Int32, type: Int32, poller: SocketPoller) throws(NetworkError) -> SocketDescriptor {
        #if canImport(Glibc)
        let descriptor = socket(family, type | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw NetworkError.system("socket()", errno: errno) }
        #else
        let descriptor = socket(family, type, 0)
        guard descriptor >= 0 else { throw NetworkError.system("socket()", errno: errno) }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        return SocketDescriptor(descriptor, poller: poller)
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Runs one short, non-blocking system call on the descriptor.
    /// - Throws: ``NetworkError/closed(_:)`` when the socket was closed.
    /// The descriptor, counted as in use until ``release()``.
    /// - Throws: ``NetworkError/closed(_:)`` when the socket was closed.
    private func retain() throws(NetworkError) -> Int32 {
        let descriptor: Int32? = state.withLock { state in
            guard !state.closed else { return nil }
            state.users += 1
            return state.descriptor
        }
        guard let descriptor else { throw NetworkError.closed("the socket is closed") }
        return descriptor
    }

    func use<Value>(_ body: (Int32) -> Value) throws(NetworkError) -> Value {
        let descriptor = try retain()
        defer { release() }
        return body(descriptor)
    }

    /// Waits until the socket is readable (`forWriting` false) or writable. The number is
    /// held while waiting (so it cannot be reused by another socket), and a close that
    /// races the registration still wakes the wait.
    func wait(forWriting: Bool, deadline: ContinuousClock.Instant) async throws(NetworkError) {
        let descriptor = try retain()
        defer { release() }
        try await poller.wait(descriptor, events: Int16(forWriting ? POLLOUT : POLLIN), deadline: deadline) {
            if isClosed { poller.wakeAll(on: descriptor) }
        }
    }

    /// Shuts the socket down both ways (the peer sees the end at once), wakes every task
    /// waiting on it, and closes the number when no call uses it. Harmless twice.
    func close() {
        let (descriptor, closeNow): (Int32?, Bool) = state.withLock { state in
            guard !state.closed else { return (nil, false) }
            state.closed = true
            // Under the lock: the last user's release may close the number right after.
            _ = shutdown(state.descriptor, Int32(SHUT_RDWR))
            return (state.descriptor, state.users == 0)
        }
        guard let descriptor else { return }
        poller.wakeAll(on: descriptor)
        if closeNow { _ = systemClose(descriptor) }
    }

    private func release() {
        let closeNow: Int32? = state.withLock { state in
            state.users -= 1
            return state.closed && state.users == 0 ? state.descriptor : nil
        }
        if let closeNow { _ = systemClose(closeNow) }
    }

    deinit {
        let descriptor = state.withLock { $0.closed ? nil : $0.descriptor }
        if let descriptor { _ = systemClose(descriptor) }
    }
}

private func systemClose(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(descriptor)
    #else
    Darwin.close(descriptor)
    #endif
}
