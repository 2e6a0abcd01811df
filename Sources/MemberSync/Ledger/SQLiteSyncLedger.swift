import CommunityMailSQL
public import CommunityMailSystem
public import Foundation

/// A ``SyncLedger`` in a SQLite file shared by every process that syncs. Its SQLite work
/// runs on the blocking executor's threads (a `SQLiteDatabase`), never on Swift's
/// cooperative pool.
public final class SQLiteSyncLedger: SyncLedger {
    private let database: SQLiteDatabase

    private static let migrations = [
        """
        CREATE TABLE sync_ledger(
            user_id TEXT PRIMARY KEY NOT NULL,
            map_built_at REAL NOT NULL
        ) WITHOUT ROWID;
        """,
        // 2: which Launchpad account (by creation date) held each name, to notice reuse.
        """
        CREATE TABLE launchpad_accounts(
            user_id TEXT PRIMARY KEY NOT NULL,
            created_at REAL NOT NULL
        ) WITHOUT ROWID;
        """,
    ]

    /// Opens (creating if needed) the ledger at `path`, on the calling thread (a start-up step).
    /// - Throws: ``MemberSyncError/storage`` when the file cannot be opened or migrated (its
    ///   ``MemberSyncError/cause`` says why).
    public init(path: String, synchronous: Synchronous = .full) throws(MemberSyncError) {
        database = try .openMemberSyncFile(
            path: path, migrations: Self.migrations, synchronous: synchronous, readers: 2, what: "the sync ledger")
    }

    /// Closes the file: waits for the calls already running, closes every connection (the
    /// last checkpoints the write-ahead log into the file and removes it), so the file can be
    /// deleted, moved or reopened as soon as this returns. Calls made afterwards fail with
    /// ``MemberSyncError/storage`` whose cause is `SQLiteError.closed` (not transient). Closing again does nothing.
    public func close() async { await database.close() }

    /// See ``SyncLedger/lastSync(of:)``.
    public func lastSync(of userID: String) async throws -> Date? {
        try await date("SELECT map_built_at FROM sync_ledger WHERE user_id = ?", userID)
    }

    /// See ``SyncLedger/recordSync(of:mapBuiltAt:)``.
    public func recordSync(of userID: String, mapBuiltAt: Date) async throws {
        try await write(
            """
            INSERT INTO sync_ledger(user_id, map_built_at) VALUES (?, ?)
            ON CONFLICT(user_id) DO UPDATE SET map_built_at = max(map_built_at, excluded.map_built_at)
            """, userID, mapBuiltAt)
    }

    /// See ``SyncLedger/launchpadAccountCreated(of:)``.
    public func launchpadAccountCreated(of userID: String) async throws -> Date? {
        try await date("SELECT created_at FROM launchpad_accounts WHERE user_id = ?", userID)
    }

    /// See ``SyncLedger/recordLaunchpadAccountCreated(_:of:)``.
    public func recordLaunchpadAccountCreated(_ date: Date, of userID: String) async throws {
        try await write(
            """
            INSERT INTO launchpad_accounts(user_id, created_at) VALUES (?, ?)
            ON CONFLICT(user_id) DO UPDATE SET created_at = excluded.created_at
            """, userID, date)
    }

    /// The date in the first column of `sql`'s row for `userID`, if any.
    private func date(_ sql: String, _ userID: String) async throws(MemberSyncError) -> Date? {
        do {
            return try await database.read { connection in
                try connection.queryFirst(sql, [userID])?[0].realValue.map(Date.init(timeIntervalSince1970:))
            }
        } catch {
            throw MemberSyncError.storage(error, doing: "read the sync ledger")
        }
    }

    /// Runs `sql` with `userID` and `date` in one write transaction.
    private func write(_ sql: String, _ userID: String, _ date: Date) async throws(MemberSyncError) {
        do {
            try await database.write { connection in try connection.run(sql, [userID, date.timeIntervalSince1970]) }
        } catch {
            throw MemberSyncError.storage(error, doing: "write the sync ledger")
        }
    }
}
