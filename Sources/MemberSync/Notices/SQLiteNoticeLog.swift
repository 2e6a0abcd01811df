import CommunityMailSQL
public import CommunityMailSystem
public import Foundation

/// A ``NoticeLog`` in a SQLite file, so de-duplication survives restarts and is shared by
/// every process that opens the same file. Its SQLite work runs on the blocking executor's
/// threads (a `SQLiteDatabase`), never on Swift's cooperative pool.
public final class SQLiteNoticeLog: NoticeLog {
    private let database: SQLiteDatabase

    private static let migrations = [
        """
        CREATE TABLE notice_log(
            key TEXT PRIMARY KEY NOT NULL,
            sent_at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX notice_log_sent_at ON notice_log(sent_at);
        """
    ]

    /// Opens (creating if needed) the log at `path`, on the calling thread (a start-up step).
    /// - Throws: ``MemberSyncError/storage`` when the file cannot be opened or migrated (its
    ///   ``MemberSyncError/cause`` says why).
    public init(path: String, synchronous: Synchronous = .full) throws(MemberSyncError) {
        database = try .openMemberSyncFile(
            path: path, migrations: Self.migrations, synchronous: synchronous, readers: 1, what: "the notice log")
    }

    /// Closes the file: waits for the calls already running, closes every connection (the
    /// last checkpoints the write-ahead log into the file and removes it), so the file can be
    /// deleted, moved or reopened as soon as this returns. Calls made afterwards fail with
    /// ``MemberSyncError/storage`` whose cause is `SQLiteError.closed` (not transient). Closing again does nothing.
    public func close() async { await database.close() }

    /// See ``NoticeLog/claim(_:now:window:)``; one IMMEDIATE transaction, so two processes
    /// cannot both claim the same key.
    public func claim(_ key: String, now: Date, window: TimeInterval) async throws -> Bool {
        try await write("claim a notice") { connection throws(SQLiteError) in
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
        try await write("release a notice") { connection throws(SQLiteError) in
            try connection.run("DELETE FROM notice_log WHERE key = ?", [key])
        }
    }

    /// See ``NoticeLog/prune(olderThan:)``.
    @discardableResult
    public func prune(olderThan date: Date) async throws -> Int {
        try await write("prune the notice log") { connection throws(SQLiteError) in
            try connection.run("DELETE FROM notice_log WHERE sent_at < ?", [date.timeIntervalSince1970])
        }
    }

    @discardableResult
    private func write<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable (SQLiteConnection) throws(SQLiteError) -> T
    ) async throws(MemberSyncError) -> T {
        do {
            return try await database.write { connection in try body(connection) }
        } catch {
            throw MemberSyncError.storage(error, doing: what)
        }
    }
}
