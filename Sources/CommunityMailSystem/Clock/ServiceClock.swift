public import Foundation

/// The one clock seam: every module that reads the time or waits takes a `ServiceClock`,
/// so a test can move time by hand (`ManualClock`) and production uses `SystemClock`.
///
/// Time is wall-clock time (`Date`) because what the modules record (nonce timestamps,
/// alias changes, notices, cache expiry) is wall-clock time; waits are expressed as a
/// deadline on the same clock.
public protocol ServiceClock: Sendable {
    /// The current time.
    func now() -> Date

    /// Suspends until `deadline` has passed on this clock.
    /// - Throws: `CancellationError` when the task is cancelled first.
    func sleep(until deadline: Date) async throws
}

extension ServiceClock {
    /// Suspends for `duration` from now.
    /// - Throws: `CancellationError` when the task is cancelled first.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now().addingTimeInterval(duration.timeInterval))
    }
}

extension Duration {
    /// The duration in seconds, as Foundation counts time.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
