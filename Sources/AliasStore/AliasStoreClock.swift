import Foundation
import Synchronization

/// Where a store gets the time for created/updated stamps and the change log.
/// Stores keep milliseconds, so times survive SQLite and JSON unchanged.
public protocol AliasStoreClock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The system's wall clock.
public struct SystemAliasStoreClock: AliasStoreClock {
    /// A system clock.
    public init() {}
    /// `Date()`.
    public func now() -> Date { Date() }
}

/// A clock that moves only when told to, for tests.
public final class ManualAliasStoreClock: AliasStoreClock {
    private let current: Mutex<Date>

    /// A clock showing `start`.
    public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600)) { current = Mutex(start) }

    /// The time it shows.
    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward by `seconds`.
    public func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

extension Date {
    /// Whole milliseconds since 1970, the unit stores and exports keep.
    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    /// The date `milliseconds` after 1970.
    init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// `self` rounded to whole milliseconds.
    var truncatedToMilliseconds: Date { Date(millisecondsSince1970: millisecondsSince1970) }
}
