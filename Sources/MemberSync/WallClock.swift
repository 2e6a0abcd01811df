import Foundation
import Synchronization

/// The time source for de-duplication windows and sync stamps; tests pass a
/// ``ManualWallClock``.
public protocol WallClock: Sendable {
    /// The current date.
    func now() -> Date
}

/// The system clock.
public struct SystemWallClock: WallClock {
    /// The system clock.
    public init() {}
    /// `Date()`.
    public func now() -> Date { Date() }
}

/// A clock that stands still until told to move.
public final class ManualWallClock: WallClock {
    private let current: Mutex<Date>

    /// A clock reading `start`.
    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

    /// The date it reads.
    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward by `interval` seconds.
    public func advance(by interval: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(interval) } }
}
