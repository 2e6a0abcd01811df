public import Foundation

/// The machine's clock: `Date()` for the time, `Task.sleep` for waits.
public struct SystemClock: ServiceClock {
    /// The system clock.
    public init() {}

    /// The current time: `Date()`.
    public func now() -> Date { Date() }

    /// Sleeps until `deadline`, on the continuous clock (a wall-clock step while asleep
    /// neither shortens nor stretches the wait).
    public func sleep(until deadline: Date) async throws {
        let interval = deadline.timeIntervalSinceNow
        guard interval > 0 else { return try Task.checkCancellation() }
        try await Task.sleep(for: .nanoseconds(Int64(min(interval, 1e9) * 1e9)))
    }
}
