public import Foundation

/// Remembers which notices were sent when, so that a notice goes out once per window.
public protocol NoticeLog: Sendable {
    /// Records `key` as sent at `now` and returns true, unless it was recorded within
    /// `window` before `now`, in which case it returns false and records nothing.
    /// Check and record are one atomic step.
    func claim(_ key: String, now: Date, window: TimeInterval) async throws -> Bool
    /// Forgets `key` (its send failed, so a later attempt should go out).
    func release(_ key: String) async throws
    /// Deletes entries older than `date`; returns how many.
    @discardableResult
    func prune(olderThan date: Date) async throws -> Int
}
