import Synchronization

/// What a job on the `BlockingExecutor` sees of its task's cancellation.
///
/// Blocking calls cannot be interrupted from outside, so a long job looks at
/// `isCancelled` between steps, or registers a handler (SQLite's `sqlite3_interrupt`,
/// closing a socket) that runs when the task is cancelled.
public final class BlockingCancellation: Sendable {
    private struct State {
        var cancelled = false
        /// The job returned: handlers registered now, or a cancellation now, run nothing (a
        /// handler that closes a socket must never reach a later job's socket).
        var finished = false
        var handlers: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    /// A flag that is not cancelled.
    public init() {}

    /// Whether the task that submitted the job was cancelled.
    public var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Runs `handler` when the task is cancelled (at once when it already was).
    public func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let runNow: Bool = state.withLock { state in
            if state.finished { return false }
            if state.cancelled { return true }
            state.handlers.append(handler)
            return false
        }
        if runNow { handler() }
    }

    /// Marks the job cancelled and runs the handlers registered so far.
    public func cancel() {
        let handlers: [@Sendable () -> Void] = state.withLock { state in
            guard !state.cancelled else { return [] }
            state.cancelled = true
            defer { state.handlers = [] }
            return state.finished ? [] : state.handlers
        }
        for handler in handlers { handler() }
    }

    /// Marks the job returned and drops its handlers: the executor calls it as soon as the
    /// job's closure returns.
    func finish() {
        state.withLock { state in
            state.finished = true
            state.handlers = []
        }
    }
}
