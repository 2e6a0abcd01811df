public import Foundation
import Synchronization

/// A clock that moves only when told to, for tests.
///
/// By default a sleeper waits until `advance(by:)` or `set(_:)` moves the time past its
/// deadline (or its task is cancelled). With `advancesOnSleep`, every sleep instead moves
/// the time to its deadline at once, which suits code that backs off between retries: the
/// test runs at full speed and reads the waits back from `sleeps`.
public final class ManualClock: ServiceClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var sleeps: [Duration] = []
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
        /// Sleepers cancelled before they were registered.
        var cancelledEarly: Set<UInt64> = []
    }

    private let state: Mutex<State>
    private let advancesOnSleep: Bool

    /// A clock that starts at `start`.
    /// - Parameters:
    ///   - start: the first time it reads. Default: 2027-01-15 08:00:00 UTC.
    ///   - advancesOnSleep: whether a sleep moves the clock to its deadline at once
    ///     instead of waiting for the test to move it. Default: false.
    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000), advancesOnSleep: Bool = false) {
        state = Mutex(State(now: start))
        self.advancesOnSleep = advancesOnSleep
    }

    /// The current time on this clock.
    public func now() -> Date { state.withLock { $0.now } }

    /// Every wait asked of this clock so far, in order (the time from `now()` to the
    /// deadline when the sleep began, to the microsecond; zero for a deadline already past).
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// How many tasks are asleep on this clock now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Moves the clock forward by `duration` and wakes every sleeper whose deadline passed.
    public func advance(by duration: Duration) { move { $0.addingTimeInterval(max(0, duration.timeInterval)) } }

    /// Moves the clock forward by `seconds` and wakes every sleeper whose deadline passed.
    public func advance(by seconds: TimeInterval) { move { $0.addingTimeInterval(max(0, seconds)) } }

    /// Sets the time (backwards too: a test of a wall-clock step) and wakes every sleeper
    /// whose deadline is no longer in the future.
    public func set(_ date: Date) { move { _ in date } }

    /// Waits until the clock reads `deadline` or later.
    /// - Throws: `CancellationError` when the task is cancelled first.
    public func sleep(until deadline: Date) async throws {
        try Task.checkCancellation()
        let due: Bool = state.withLock { state in
            // Whole microseconds: a `Date` near today is exact to about 0.1 µs, so 250 ms
            // reads back as 250 ms, not 249.99995 ms.
            state.sleeps.append(.microseconds(Int64((max(0, deadline.timeIntervalSince(state.now)) * 1e6).rounded())))
            if advancesOnSleep, deadline > state.now { state.now = deadline }
            return deadline <= state.now
        }
        if due { return }
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Bool, CancellationError> = state.withLock { state in
                    if state.cancelledEarly.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(true) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .success(false)
                }
                switch outcome {
                case .failure(let error): continuation.resume(throwing: error)
                case .success(true): continuation.resume()
                case .success(false): break
                }
            }
        } onCancel: {
            let sleeper: Sleeper? = state.withLock { state in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    state.cancelledEarly.insert(id)
                    return nil
                }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    private func move(_ change: (Date) -> Date) {
        let woken: [Sleeper] = state.withLock { state in
            state.now = change(state.now)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }
}
