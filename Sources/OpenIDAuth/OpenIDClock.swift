import Foundation
import Synchronization

/// The time source for nonce windows and association expiry. Inject
/// ``ManualOpenIDClock`` in tests to move time by hand.
public protocol OpenIDClock: Sendable {
    /// The current time.
    var now: Date { get }
}

/// The system's wall clock.
public struct SystemOpenIDClock: OpenIDClock {
    /// A system clock.
    public init() {}
    /// `Date()`.
    public var now: Date { Date() }
}

/// A clock that moves only when told: the fake for tests.
public final class ManualOpenIDClock: OpenIDClock {
    private let current: Mutex<Date>

    /// A clock that reads `start` until advanced.
    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

    /// The time the clock is set to.
    public var now: Date { current.withLock { $0 } }

    /// Moves the clock by `interval` seconds (negative moves it back).
    public func advance(by interval: TimeInterval) { current.withLock { $0 += interval } }

    /// Sets the clock to `date`.
    public func set(_ date: Date) { current.withLock { $0 = date } }
}
