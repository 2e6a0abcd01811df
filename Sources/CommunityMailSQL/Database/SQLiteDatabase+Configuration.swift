public import CommunityMailSystem

extension SQLiteDatabase {
    /// How to open a database: where it lives, how durable its commits are, how many
    /// readers it keeps, and the schema migrations it runs.
    public struct Configuration: Sendable {
        /// Where the data lives.
        public enum Storage: Sendable, Hashable {
            /// A file (created when missing), in write-ahead-log mode so that the readers and
            /// the writer proceed together.
            case file(path: String)
            /// A private in-memory database, gone when the database closes. Reads and writes
            /// share its one connection (SQLite's shared-cache in-memory databases lock by
            /// table, which would make readers wait on the writer), so reads see committed
            /// state only.
            case inMemory
        }

        /// Where the data lives.
        public var storage: Storage
        /// When commits reach the disk (`PRAGMA synchronous`). Default: `.full`.
        public var synchronous: Synchronous = .full
        /// The name of a registered VFS to open the file through, or nil for SQLite's
        /// default. Default: nil.
        public var vfsName: String?
        /// How long a connection waits for another connection's (or process's) lock before
        /// failing with ``SQLiteError/busy``. Default: 5 seconds.
        public var busyTimeout: Duration = .seconds(5)
        /// How many read connections to keep at most (at least 1; ignored in memory): one
        /// opens with the database, the others when that many reads first run at once.
        /// Reads beyond it wait, without holding a thread, for a reader to come free.
        /// Default: 4.
        public var readerCount: Int = 4
        /// Enforce foreign keys. Default: true.
        public var foreignKeys: Bool = true
        /// The schema, one step per version (`PRAGMA user_version`; SQL text, or Swift code
        /// through ``SQLiteMigration/code(_:)``): step i takes the schema from version i to
        /// i + 1 in one write transaction with the version bump. Never edit a shipped step;
        /// append one. Default: none.
        public var migrations: [SQLiteMigration] = []
        /// Keep temporary tables and sort space in memory on every connection
        /// (`PRAGMA temp_store = MEMORY`); an encrypted database sets it so sorts never reach
        /// a temporary file. Default: false.
        public var temporaryStoreInMemory: Bool = false
        /// Open the file read-only: every connection opens with `SQLITE_OPEN_READONLY` (none
        /// can write, recover or checkpoint into the file), no migration runs (the file's
        /// schema version must be the migrations' count already), and ``SQLiteDatabase/write(_:)``
        /// fails with ``SQLiteError/readOnly``. The file must exist. Ignored in memory.
        /// Default: false.
        public var readOnly: Bool = false
        /// Where the connections' work runs. Default: ``BlockingExecutor/shared``.
        public var executor: BlockingExecutor = .shared

        /// A database in the file at `path`, with the defaults above.
        /// `":memory:"` means ``Storage/inMemory`` (SQLite's own spelling: as a file path it
        /// would give every connection its own empty database).
        public init(path: String) { storage = path == ":memory:" ? .inMemory : .file(path: path) }

        /// A database with `storage` and the defaults above.
        public init(storage: Storage) { self.storage = storage }

        /// The options each connection opens with.
        func connectionConfiguration(queryOnly: Bool) -> SQLiteConnection.Configuration {
            var options = SQLiteConnection.Configuration()
            options.vfsName = vfsName
            options.busyTimeout = busyTimeout
            options.foreignKeys = foreignKeys
            options.synchronous = synchronous
            options.queryOnly = queryOnly && !readOnly
            // A reader opens after the writer made the file, or later still: it must never
            // make an empty file where a deleted one was.
            if queryOnly { options.create = false }
            options.readOnly = readOnly && storage != .inMemory
            options.temporaryStoreInMemory = temporaryStoreInMemory
            return options
        }

        /// True when the database opens no connection that can write.
        var opensReadOnly: Bool { readOnly && storage != .inMemory }

        /// The path SQLite opens.
        var openPath: String {
            switch storage {
            case .file(let path): path
            case .inMemory: ":memory:"
            }
        }
    }
}
