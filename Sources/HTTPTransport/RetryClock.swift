import Foundation
import Synchronization

/// The time source a ``RetryingHTTPClient`` waits with. Tests pass a
/// ``ManualRetryClock`` so that no test ever sleeps.
public protocol RetryClock: Sendable {
    /// Monotonic time since an arbitrary, fixed origin.
    func now() -> Duration
    /// The wall-clock date, for `Retry-After` values given as HTTP dates.
    func wallClockNow() -> Date
    /// Waits `duration`.
    /// - Throws: `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The real clock: `ContinuousClock` and the system date.
public struct SystemRetryClock: RetryClock {
    private let origin = ContinuousClock.now

    /// A clock whose origin is now.
    public init() {}

    /// Time since this clock was made.
    public func now() -> Duration { ContinuousClock.now - origin }
    /// The system date.
    public func wallClockNow() -> Date { Date() }
    /// Sleeps on `ContinuousClock`.
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// A fake clock: `sleep` returns at once and moves time forward; every sleep is recorded.
public final class ManualRetryClock: RetryClock {
    private struct State {
        var elapsed: Duration = .zero
        var sleeps: [Duration] = []
    }

    private let state = Mutex(State())
    private let wallClockOrigin: Date

    /// A clock at elapsed time zero whose wall clock starts at `wallClock`.
    public init(wallClock: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.wallClockOrigin = wallClock
    }

    /// Elapsed fake time.
    public func now() -> Duration { state.withLock { $0.elapsed } }
    /// The starting date plus elapsed fake time.
    public func wallClockNow() -> Date {
        wallClockOrigin.addingTimeInterval(state.withLock { $0.elapsed }.seconds)
    }
    /// Records the sleep and advances time; never blocks.
    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        state.withLock {
            $0.sleeps.append(duration)
            $0.elapsed += duration
        }
    }
    /// Moves time forward without a sleep (time spent elsewhere).
    public func advance(by duration: Duration) { state.withLock { $0.elapsed += duration } }
    /// Every sleep so far, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }
}
