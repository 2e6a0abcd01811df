public import Foundation
import Synchronization

/// A ``NoticeLog`` in memory: for tests, and for hosts that accept repeats after a restart.
public final class InMemoryNoticeLog: NoticeLog {
    private let entries = Mutex<[String: Date]>([:])

    /// An empty log.
    public init() {}

    /// See ``NoticeLog/claim(_:now:window:)``.
    public func claim(_ key: String, now: Date, window: TimeInterval) async throws -> Bool {
        entries.withLock { entries in
            if let last = entries[key], now.timeIntervalSince(last) < window { return false }
            entries[key] = now
            return true
        }
    }

    /// See ``NoticeLog/release(_:)``.
    public func release(_ key: String) async throws { _ = entries.withLock { $0.removeValue(forKey: key) } }

    /// See ``NoticeLog/prune(olderThan:)``.
    public func prune(olderThan date: Date) async throws -> Int {
        entries.withLock { entries in
            let old = entries.filter { $0.value < date }.map(\.key)
            for key in old { entries.removeValue(forKey: key) }
            return old.count
        }
    }
}
