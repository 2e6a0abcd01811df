import CommunityMailSQL
import Foundation

/// A ``SyncLedger`` in a SQLite file shared by every process that syncs.
public actor SQLiteSyncLedger: SyncLedger {
    private let connection: SQLiteConnection

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

    /// Opens (creating if needed) the ledger at `path`.
    public init(path: String) throws {
        connection = try SQLiteConnection(path: path)
        try connection.migrate(Self.migrations)
    }

    /// See ``SyncLedger/lastSync(of:)``.
    public func lastSync(of userID: String) async throws -> Date? {
        try connection.queryFirst("SELECT map_built_at FROM sync_ledger WHERE user_id = ?", [userID])?[0].realValue
            .map(Date.init(timeIntervalSince1970:))
    }

    /// See ``SyncLedger/recordSync(of:mapBuiltAt:)``.
    public func recordSync(of userID: String, mapBuiltAt: Date) async throws {
        try connection.run(
            """
            INSERT INTO sync_ledger(user_id, map_built_at) VALUES (?, ?)
            ON CONFLICT(user_id) DO UPDATE SET map_built_at = max(map_built_at, excluded.map_built_at)
            """, [userID, mapBuiltAt.timeIntervalSince1970])
    }

    /// See ``SyncLedger/launchpadAccountCreated(of:)``.
    public func launchpadAccountCreated(of userID: String) async throws -> Date? {
        try connection.queryFirst("SELECT created_at FROM launchpad_accounts WHERE user_id = ?", [userID])?[0].realValue
            .map(Date.init(timeIntervalSince1970:))
    }

    /// See ``SyncLedger/recordLaunchpadAccountCreated(_:of:)``.
    public func recordLaunchpadAccountCreated(_ date: Date, of userID: String) async throws {
        try connection.run(
            """
            INSERT INTO launchpad_accounts(user_id, created_at) VALUES (?, ?)
            ON CONFLICT(user_id) DO UPDATE SET created_at = excluded.created_at
            """, [userID, date.timeIntervalSince1970])
    }
}
