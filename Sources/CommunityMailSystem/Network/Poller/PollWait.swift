import Synchronization

/// One task's wait on the poller: armed with its continuation once, finished once (ready,
/// late, cancelled or failed), whichever of the poller's thread and the cancellation handler comes
/// first.
final class PollWait: Sendable {
    enum Outcome: Sendable {
        case ready, timedOut, cancelled
        /// `poll()` itself failed for the waits it covered.
        case failed(NetworkError)
    }

    private enum State {
        case idle
        case armed(CheckedContinuation<Outcome, Never>)
        case cancelledBeforeArming
        case finished
    }

    private let state = Mutex(State.idle)

    /// Stores `continuation`; false (and the continuation resumed with `.cancelled`) when
    /// the task was cancelled before it got here.
    func arm(_ continuation: CheckedContinuation<Outcome, Never>) -> Bool {
        let armed = state.withLock { state -> Bool in
            guard case .idle = state else { return false }
            state = .armed(continuation)
            return true
        }
        if !armed { continuation.resume(returning: .cancelled) }
        return armed
    }

    /// Whether the wait is armed and not yet finished (the poller registers only such waits).
    var isArmed: Bool {
        state.withLock { state in
            if case .armed = state { return true }
            return false
        }
    }

    /// Resumes the waiting task with `outcome`; true when this call did it (the wait was
    /// armed and not yet finished).
    @discardableResult
    func finish(with outcome: Outcome) -> Bool {
        let continuation = state.withLock { state -> CheckedContinuation<Outcome, Never>? in
            switch state {
            case .armed(let continuation):
                state = .finished
                return continuation
            case .idle:
                if case .cancelled = outcome { state = .cancelledBeforeArming }
                return nil
            case .cancelledBeforeArming, .finished:
                return nil
            }
        }
        continuation?.resume(returning: outcome)
        return continuation != nil
    }
}
