import CommunityMailCSQLite
public import CommunityMailSystem

/// One connection to a SQLite database file.
///
/// A connection is used from one task or thread at a time; a store that is shared keeps
/// its connection inside an actor or behind a lock. Statements are cached by SQL text.
public final class SQLiteConnection {
    /// How to open a database.
    public struct Configuration: Sendable {
        /// Open read-only. Default: false.
        public var readOnly: Bool = false
        /// Create the file when it is missing (ignored when read-only). Default: true.
        public var create: Bool = true
        /// The name of a registered VFS to open the file through, or nil for SQLite's
        /// default. The encrypted mailbox passes its own VFS name here. Default: nil.
        public var vfsName: String?
        /// How long to wait for another connection's lock before failing with
        /// `SQLiteError.busy`. Default: 5 seconds.
        public var busyTimeout: Duration = .seconds(5)
        /// Use write-ahead logging, so readers and one writer proceed together. Default: true.
        public var writeAheadLog: Bool = true
        /// Enforce foreign keys. Default: true.
        public var foreignKeys: Bool = true
        /// `PRAGMA synchronous`: NORMAL is durable across application crashes in WAL mode
        /// and across power loss up to the last checkpoint; FULL syncs every commit.
        /// Default: `.full`.
        public var synchronous: Synchronous = .full
        /// Refuse writes on this connection (`PRAGMA query_only`), as a database's readers do.
        /// Unlike `readOnly`, the connection can still create the WAL index. Default: false.
        public var queryOnly: Bool = false
        /// Keep temporary tables, indices and sort space in memory (`PRAGMA temp_store =
        /// MEMORY`) rather than in temporary files: what an encrypted database wants, so that
        /// sorts never reach the disk. Default: false (SQLite's own choice).
        public var temporaryStoreInMemory: Bool = false

        /// The defaults above.
        public init() {}
    }

    /// The raw `sqlite3*` handle, for modules that register functions or VFS hooks.
    public let handle: OpaquePointer
    /// The path the connection was opened with.
    public let path: String
    private var statementCache: [String: SQLiteStatement] = [:]
    private var transactionDepth = 0
    private var isClosed = false

    /// Opens (and with `configuration.create`, creates) the database at `path`.
    /// `":memory:"` opens a private in-memory database.
    /// - Throws: `SQLiteError.open`, or `.notADatabase` when the file is not one.
    public init(path: String, configuration: Configuration = Configuration()) throws(SQLiteError) {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        if configuration.readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE
            if configuration.create { flags |= SQLITE_OPEN_CREATE }
        }
        var db: OpaquePointer?
        let result = sqlite3_open_v2(path, &db, flags, configuration.vfsName)
        guard result == SQLITE_OK, let db else {
            let error = SQLiteError.from(result: result, handle: db, operation: "open \(path)")
            sqlite3_close_v2(db)
            throw error
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        let milliseconds = configuration.busyTimeout.components.seconds * 1000
            + configuration.busyTimeout.components.attoseconds / 1_000_000_000_000_000
        sqlite3_busy_timeout(db, Int32(clamping: milliseconds))
        do {
            // Reading the schema here turns "not a database" into an error at open time.
            try execute("PRAGMA foreign_keys = \(configuration.foreignKeys ? "ON" : "OFF")")
            _ = try query("SELECT count(*) FROM sqlite_schema")
            if configuration.writeAheadLog && !configuration.readOnly && path != ":memory:" {
                try execute("PRAGMA journal_mode = WAL")
            }
            try execute("PRAGMA synchronous = \(configuration.synchronous.rawValue)")
            if configuration.queryOnly { try execute("PRAGMA query_only = ON") }
            if configuration.temporaryStoreInMemory { try execute("PRAGMA temp_store = MEMORY") }
        } catch {
            statementCache.removeAll()
            sqlite3_close_v2(db)
            throw error
        }
    }

    deinit { close() }

    /// Finalizes the cached statements and closes the connection (the last connection to
    /// a file checkpoints its log). The connection must not be used afterwards.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that bind nothing and return nothing.
    public func execute(_ sql: String) throws(SQLiteError) {
        let result = sqlite3_exec(handle, sql, nil, nil, nil)
        guard result == SQLITE_OK else { throw SQLiteError.from(result: result, handle: handle, operation: "execute") }
    }

    /// A compiled statement for `sql`, reused across calls with the same text.
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = statementCache[sql] {
            cached.reset()
            return cached
        }
        let statement = try SQLiteStatement(connection: self, sql: sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs `sql` with `bindings` and returns every row.
    public func query(_ sql: String, _ bindings: [any SQLiteBindable] = []) throws(SQLiteError) -> [SQLiteRow] {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        return try statement.allRows()
    }

    /// Runs `sql` with `bindings` and returns the first row, if any.
    public func queryFirst(_ sql: String, _ bindings: [any SQLiteBindable] = []) throws(SQLiteError) -> SQLiteRow? {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        return try statement.step() ? statement.row() : nil
    }

    /// Runs `sql` with `bindings` to completion; returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ bindings: [any SQLiteBindable] = []) throws(SQLiteError) -> Int {
        let statement = try prepare(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        while try statement.step() {}
        return Int(sqlite3_changes64(handle))
    }

    /// The rowid of the last inserted row on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// True when the connection cannot write its main database (opened with
    /// `SQLITE_OPEN_READONLY`, or the file could only be opened for reading).
    public var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// True while inside a transaction.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// How a transaction takes its locks.
    public enum TransactionKind: String, Sendable {
        /// Locks on first read or write.
        case deferred = "DEFERRED"
        /// Takes the write lock at once, so it never fails to upgrade later.
        case immediate = "IMMEDIATE"
        /// Like immediate; in rollback-journal mode also keeps readers out.
        case exclusive = "EXCLUSIVE"
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// Nested calls become savepoints.
    @discardableResult
    public func transaction<T>(
        _ kind: TransactionKind = .immediate, _ body: () throws -> T
    ) throws -> T {
        let outermost = transactionDepth == 0
        let savepoint = "cm_sp_\(transactionDepth)"
        // `run` reuses compiled statements; `execute` would compile them every time.
        try run(outermost ? "BEGIN \(kind.rawValue)" : "SAVEPOINT \(savepoint)")
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        let value: T
        do {
            value = try body()
        } catch {
            if outermost {
                // An interrupted or failed statement may have rolled back already.
                if isInTransaction { _ = try? run("ROLLBACK") }
            } else {
                _ = try? run("ROLLBACK TO \(savepoint)")
                _ = try? run("RELEASE \(savepoint)")
            }
            throw error
        }
        if outermost {
            do { try run("COMMIT") } catch {
                if isInTransaction { _ = try? run("ROLLBACK") }
                throw error
            }
        } else {
            try run("RELEASE \(savepoint)")
        }
        return value
    }

    /// `PRAGMA user_version`, which migrations use as the schema version.
    public var userVersion: Int {
        get throws(SQLiteError) {
            Int(try queryFirst("PRAGMA user_version")?[0].integerValue ?? 0)
        }
    }

    /// Sets `PRAGMA user_version`.
    public func setUserVersion(_ version: Int) throws(SQLiteError) {
        try execute("PRAGMA user_version = \(version)")
    }

    /// Brings the schema up to `migrations.count`, each migration SQL text: as
    /// ``migrate(_:)-([SQLiteMigration])``.
    public func migrate(_ migrations: [String]) throws(SQLiteError) {
        try migrate(migrations.map(SQLiteMigration.init(sql:)))
    }

    /// Brings the schema up to `migrations.count`: migration i (0-based) takes the schema
    /// from version i to i + 1. Each runs in its own transaction with the version bump.
    /// - Throws: `SQLiteError.newerSchema` when the file's version is newer than the code
    ///   knows; `SQLiteError.migration` when a migration fails (that migration is rolled back).
    public func migrate(_ migrations: [SQLiteMigration]) throws(SQLiteError) {
        let current = try userVersion
        guard current <= migrations.count else {
            throw SQLiteError.newerSchema.with(
                message: "database schema version \(current) is newer than this code supports (\(migrations.count))")
        }
        for version in current..<migrations.count {
            do {
                try transaction(.immediate) {
                    // Another connection (another process) may have run this step since the
                    // version was read: the write lock is held now, so look again.
                    guard try userVersion == version else { return }
                    try migrations[version].run(on: self)
                    try setUserVersion(version + 1)
                }
            } catch let error as SQLiteError {
                throw SQLiteError.migration.with(message: "migration to version \(version + 1) failed: \(error.message)")
            } catch {
                throw SQLiteError.migration.with(message: "migration to version \(version + 1) failed: \(error)")
            }
        }
    }

    /// Interrupts the statement running on this connection, from any thread
    /// (`sqlite3_interrupt`): it fails with ``SQLiteError/interrupted``.
    public func interrupt() { sqlite3_interrupt(handle) }

    /// Runs `PRAGMA integrity_check` and returns its lines ("ok" when sound).
    public func integrityCheck() throws(SQLiteError) -> [String] {
        try query("PRAGMA integrity_check").compactMap { $0[0].textValue }
    }
}
