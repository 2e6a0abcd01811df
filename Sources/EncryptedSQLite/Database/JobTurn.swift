import Synchronization

/// One job at a time, first come first served, for the jobs of one encrypted database.
///
/// Waiting for the turn is an async suspension taken *before* a job goes to the executor, so
/// at most one of the database's jobs holds an executor thread: N concurrent callers never
/// park N threads on a lock, which would starve every other blocking job in the process.
/// The wait does not end early on cancellation (a database call is short, and its callers'
/// typed errors have no cancellation case); the job itself sees the cancellation.
final class JobTurn: Sendable {
    private struct State {
        var taken = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private let state = Mutex(State())

    /// Waits until no other job holds the turn, then holds it until ``end()``.
    func begin() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now: Bool = state.withLock { state in
                guard state.taken else {
                    state.taken = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Hands the turn to the longest waiter, or frees it.
    func end() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard state.head < state.waiters.count else {
                state.taken = false
                return nil
            }
            // The turn passes straight to the waiter: `taken` stays true.
            let waiter = state.waiters[state.head]
            state.head += 1
            if state.head > 32, state.head * 2 > state.waiters.count {
                state.waiters.removeFirst(state.head)
                state.head = 0
            }
            return waiter
        }
        next?.resume()
    }
}
