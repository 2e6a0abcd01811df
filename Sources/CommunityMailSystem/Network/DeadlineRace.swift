import Synchronization

/// One answer from whichever comes first: a job that cannot be interrupted (a blocking
/// look-up on a ``BlockingExecutor``), the deadline, or the task's cancellation. The job
/// keeps its thread until it returns; its late answer is dropped.
final class DeadlineRace<Value: Sendable>: Sendable {
    private struct State {
        var waiter: CheckedContinuation<Result<Value, NetworkError>, Never>?
        /// An answer that came before the waiter (a task cancelled before it waited).
        var early: Result<Value, NetworkError>?
        var answered = false
        var timer: Task<Void, Never>?
    }

    private let state = Mutex(State())

    /// Runs `job` until `deadline`; `timedOut` is the error when the deadline comes first.
    static func run(
        until deadline: ContinuousClock.Instant, timedOut: NetworkError,
        _ job: @escaping @Sendable () async throws(NetworkError) -> Value
    ) async throws(NetworkError) -> Value {
        let race = DeadlineRace()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, NetworkError>, Never>) in
                let early = race.state.withLock { state -> Result<Value, NetworkError>? in
                    if let early = state.early { return early }
                    state.waiter = continuation
                    state.timer = Task {
                        try? await Task.sleep(until: deadline, clock: .continuous)
                        race.finish(.failure(timedOut))
                    }
                    return nil
                }
                if let early {
                    continuation.resume(returning: early)
                    return
                }
                Task {
                    do throws(NetworkError) {
                        race.finish(.success(try await job()))
                    } catch {
                        race.finish(.failure(error))
                    }
                }
            }
        } onCancel: {
            race.finish(.failure(.cancelled("the task was cancelled while waiting")))
        }
        return try result.get()
    }

    /// Resumes the waiter with `result` unless an earlier answer did, and stops the timer.
    private func finish(_ result: Result<Value, NetworkError>) {
        let (waiter, timer) = state.withLock { state -> (CheckedContinuation<Result<Value, NetworkError>, Never>?, Task<Void, Never>?) in
            guard !state.answered else { return (nil, nil) }
            state.answered = true
            guard let waiter = state.waiter else {
                state.early = result
                return (nil, nil)
            }
            state.waiter = nil
            return (waiter, state.timer)
        }
        timer?.cancel()
        waiter?.resume(returning: result)
    }
}
