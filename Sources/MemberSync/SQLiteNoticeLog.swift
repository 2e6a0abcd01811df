import CommunityMailSQL
import Foundation

/// A ``NoticeLog`` in a SQLite file, so de-duplication survives restarts and is shared by
/// every process that opens the same file.
public actor SQLiteNoticeLog: NoticeLog {
    private let connection: SQLiteConnection

    private static let migrations = [
        """
        CREATE TABLE notice_log(
            key TEXT PRIMARY KEY NOT NULL,
            sent_at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX notice_log_sent_at ON notice_log(sent_at);
        """
    ]

    /// Opens (creating if needed) the log at `path`.
    /// - Throws: `SQLiteError` when the file cannot be opened or migrated.
    public init(path: String) throws {
        connection = try SQLiteConnection(path: path)
        try connection.migrate(Self.migrations)
    }

    /// See ``NoticeLog/claim(_:now:window:)``; one IMMEDIATE transaction, so two processes
    /// cannot both claim the same key.
    public func claim(_ key: String, now: Date, window: TimeInterval) async throws -> Bool {
        try connection.transaction(.immediate) {
            if let row = try connection.queryFirst("SELECT sent_at FROM notice_log WHERE key = ?", [key]),
               let sentAt = row[0].realValue, now.timeIntervalSince1970 - sentAt < window
            {
                return false
            }
            try connection.run(
                "INSERT INTO notice_log(key, sent_at) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET sent_at = excluded.sent_at",
                [key, now.timeIntervalSince1970])
            return true
        }
    }

    /// See ``NoticeLog/release(_:)``.
    public func release(_ key: String) async throws {
        try connection.run("DELETE FROM notice_log WHERE key = ?", [key])
    }

    /// See ``NoticeLog/prune(olderThan:)``.
    public func prune(olderThan date: Date) async throws -> Int {
        try connection.run("DELETE FROM notice_log WHERE sent_at < ?", [date.timeIntervalSince1970])
    }
}
