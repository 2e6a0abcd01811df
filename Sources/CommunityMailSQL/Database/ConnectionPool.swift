import Synchronization

/// A few connections lent out one borrower at a time, first come first served. Waiting for
/// one is an async suspension, never a blocked thread; a waiter whose task is cancelled
/// leaves the queue at once.
final class ConnectionPool: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<PooledConnection, any Error>
    }

    private struct State {
        var idle: [PooledConnection]
        var waiters: [Waiter] = []
        var waiterHead = 0
        var cancelledBeforeWaiting: Set<UInt64> = []
        var nextWaiterID: UInt64 = 0
        var lent = 0
        var closed = false
        var drained: [CheckedContinuation<Void, Never>] = []

        var hasWaiters: Bool { waiterHead < waiters.count }

        mutating func popWaiter() -> Waiter? {
            guard hasWaiters else { return nil }
            let waiter = waiters[waiterHead]
            waiterHead += 1
            if waiterHead > 32, waiterHead * 2 > waiters.count {
                waiters.removeFirst(waiterHead)
                waiterHead = 0
            }
            return waiter
        }

        mutating func removeWaiter(_ id: UInt64) -> Waiter? {
            guard let index = waiters[waiterHead...].firstIndex(where: { $0.id == id }) else { return nil }
            return waiters.remove(at: index)
        }

        var isDrained: Bool { lent == 0 && !hasWaiters }
    }

    private let state: Mutex<State>
    /// Every connection, idle or lent, for closing.
    let connections: [PooledConnection]

    init(_ connections: [PooledConnection]) {
        self.connections = connections
        // Lent from the end: open connections first, so the unopened ones open only when
        // that many jobs overlap.
        state = Mutex(State(idle: connections.filter { !$0.isOpen } + connections.filter(\.isOpen)))
    }

    convenience init(_ connections: [SQLiteConnection]) { self.init(connections.map(PooledConnection.init)) }

    /// A connection for the caller alone until it calls `release`.
    /// - Throws: `CancellationError` when the task is cancelled while waiting,
    ///   ``SQLiteError/closed`` once the pool is closed.
    func acquire() async throws -> PooledConnection {
        let immediate: Result<PooledConnection, any Error>? = state.withLock { state in
            if state.closed { return .failure(SQLiteError.closed) }
            guard !state.hasWaiters, let connection = state.idle.popLast() else { return nil }
            state.lent += 1
            return .success(connection)
        }
        if let immediate { return try immediate.get() }
        let id = state.withLock { state in
            defer { state.nextWaiterID &+= 1 }
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PooledConnection, any Error>) in
                let outcome: Result<PooledConnection, any Error>? = state.withLock { state in
                    if state.cancelledBeforeWaiting.remove(id) != nil { return .failure(CancellationError()) }
                    if state.closed { return .failure(SQLiteError.closed) }
                    if !state.hasWaiters, let connection = state.idle.popLast() {
                        state.lent += 1
                        return .success(connection)
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                if let waiter = state.removeWaiter(id) { return waiter }
                state.cancelledBeforeWaiting.insert(id)
                return nil
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// How many borrowers wait for a connection now.
    var waiting: Int { state.withLock { $0.waiters.count - $0.waiterHead } }

    /// Gives `connection` back: to the longest waiter, or to the idle set.
    func release(_ connection: PooledConnection) {
        enum Next {
            case waiter(Waiter)
            case drained([CheckedContinuation<Void, Never>])
            case none
        }
        let next: Next = state.withLock { state in
            // A waiter whose cancellation raced ahead of it never joined the queue; its id
            // stays in the set only until then, so the set stays small.
            // A connection that is still not open (its open failed, or its job was cancelled
            // first) goes to the back of the line, behind the open ones, and to no waiter:
            // the open connection still lent will serve the waiters, rather than each of
            // them failing on the same open.
            if connection.isOpen, let waiter = state.popWaiter() { return .waiter(waiter) }
            state.lent -= 1
            if connection.isOpen { state.idle.append(connection) } else { state.idle.insert(connection, at: 0) }
            if state.closed, state.isDrained {
                defer { state.drained = [] }
                return .drained(state.drained)
            }
            return .none
        }
        switch next {
        case .waiter(let waiter): waiter.continuation.resume(returning: connection)
        case .drained(let waiting): for continuation in waiting { continuation.resume() }
        case .none: break
        }
    }

    /// Refuses new borrowers, then waits until every connection lent or promised to a
    /// waiter has come back.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done: Bool = state.withLock { state in
                state.closed = true
                if state.isDrained { return true }
                state.drained.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
