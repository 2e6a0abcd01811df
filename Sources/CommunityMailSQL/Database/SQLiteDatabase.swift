import CommunityMailSystem
import Synchronization

/// One SQLite database as a store uses it: one writer connection and a pool of reader
/// connections (write-ahead log), whose work runs only on a ``BlockingExecutor``'s threads,
/// never on Swift's cooperative pool.
///
/// ``read(_:)`` runs its closure in a read transaction on a free reader, so it sees one
/// committed state and never waits for the writer; when every reader is busy it waits, as an
/// async suspension, for one to come free. ``write(_:)`` runs its closure in one
/// `BEGIN IMMEDIATE` transaction on the writer, committed when the closure returns and rolled
/// back when it throws; writes queue, asynchronously and in order, one at a time. Other
/// processes may open the same file: SQLite's locks and the busy timeout keep them consistent.
///
/// Cancelling a task cancels its work: queued work does not start (the call throws
/// `CancellationError`), a running statement is interrupted (`sqlite3_interrupt`), and so is
/// every statement the job starts afterwards (a progress handler watches the task while the
/// job runs), so a job of many statements stops at the next one; its transaction is rolled
/// back and the connection stays usable. Errors from SQLite are ``SQLiteError``s, which keep SQLite's
/// result code and say whether they are transient.
public final class SQLiteDatabase: Sendable {
    /// How the database was opened.
    public let configuration: Configuration
    private let writer: ConnectionPool
    /// The writer's pool again for an in-memory database.
    private let readers: ConnectionPool
    /// The one closing, started by the first `close` and awaited by every call.
    private let closing = Mutex<Task<Void, Never>?>(nil)

    /// Opens (creating when missing) the database, sets its journal and sync modes and runs
    /// the migrations it lacks, on the calling thread: for start-up, before any task depends
    /// on the cooperative pool being free; from async code prefer ``open(_:)``.
    /// - Throws: ``SQLiteError/open`` or ``SQLiteError/notADatabase`` for a file that cannot
    ///   be used; ``SQLiteError/newerSchema`` when the file's schema version is newer than
    ///   `configuration.migrations`; ``SQLiteError/migration`` when a step fails (that step
    ///   is rolled back).
    public init(configuration: Configuration) throws(SQLiteError) {
        self.configuration = configuration
        switch configuration.storage {
        case .inMemory:
            let connection = try SQLiteConnection(
                path: configuration.openPath, configuration: configuration.connectionConfiguration(queryOnly: false))
            try connection.migrate(configuration.migrations)
            writer = ConnectionPool([connection])
            readers = writer
        case .file(let path) where configuration.opensReadOnly:
            // No writer at all: a read-only database must not hold a connection that could
            // recover, checkpoint or migrate the file.
            let readerConnections = try Self.openReaders(path: path, configuration)
            let version = try readerConnections[0].connection().userVersion
            guard version == configuration.migrations.count else {
                if version > configuration.migrations.count {
                    throw SQLiteError.newerSchema.with(
                        message: "database schema version \(version) is newer than this code supports (\(configuration.migrations.count))")
                }
                throw SQLiteError.readOnly.with(
                    message: "the database is open read-only, and its schema (version \(version)) needs migrating to version \(configuration.migrations.count)")
            }
            readers = ConnectionPool(readerConnections)
            writer = ConnectionPool([PooledConnection]())  // never lent: write(_:) refuses first
        case .file(let path):
            let writerConnection = try SQLiteConnection(
                path: path, configuration: configuration.connectionConfiguration(queryOnly: false))
            try writerConnection.migrate(configuration.migrations)
            writer = ConnectionPool([writerConnection])
            readers = ConnectionPool(try Self.openReaders(path: path, configuration))
        }
    }

    /// The reader connections `configuration` asks for (at least one): the first open now,
    /// the others when reads first overlap. Each open costs a file open, the schema read and
    /// (encrypted) a page decryption, which a store that mostly reads one thing at a time
    /// would pay for nothing.
    private static func openReaders(path: String, _ configuration: Configuration) throws(SQLiteError) -> [PooledConnection] {
        let options = configuration.connectionConfiguration(queryOnly: true)
        let open: @Sendable () throws(SQLiteError) -> SQLiteConnection = { () throws(SQLiteError) in
            try SQLiteConnection(path: path, configuration: options)
        }
        var connections = [PooledConnection(try open())]
        for _ in 1..<max(1, configuration.readerCount) { connections.append(PooledConnection(opening: open)) }
        return connections
    }

    /// Opens the database like ``init(configuration:)``, on the executor's thread.
    public static func open(_ configuration: Configuration) async throws(SQLiteError) -> SQLiteDatabase {
        try await configuration.executor.run { () throws(SQLiteError) -> SQLiteDatabase in
            try SQLiteDatabase(configuration: configuration)
        }
    }

    /// Runs `body` in a read transaction on a free reader and returns what it returns: every
    /// statement in it sees the same committed state, whatever the writer does meanwhile.
    /// - Throws: what `body` throws; ``SQLiteError`` when the transaction cannot begin or
    ///   end; `CancellationError` when the task was cancelled; ``SQLiteError/closed``.
    @discardableResult
    public func read<Value: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> Value) async throws -> Value {
        try await perform(on: readers) { connection in try connection.transaction(.deferred) { try body(connection) } }
    }

    /// Runs `body` on a free reader without a transaction of its own: each statement sees
    /// the state committed when it starts. Saves the `BEGIN`/`COMMIT` pair for work that runs
    /// one statement (a look-up on the mail path); use ``read(_:)`` for anything that must
    /// see one state across statements.
    @discardableResult
    public func readStatements<Value: Sendable>(
        _ body: @escaping @Sendable (SQLiteConnection) throws -> Value
    ) async throws -> Value {
        try await perform(on: readers, body)
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction on the writer: committed when it
    /// returns, rolled back when it throws. Writes run one at a time, in the order they were
    /// asked for. (`SQLiteConnection.transaction` inside `body` makes a savepoint.)
    /// - Throws: what `body` throws; ``SQLiteError/busy`` (transient) when another process
    ///   holds the write lock past the busy timeout; `CancellationError`; ``SQLiteError/closed``;
    ///   ``SQLiteError/readOnly`` when the database was opened read-only.
    @discardableResult
    public func write<Value: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> Value) async throws -> Value {
        try await write(body, committed: { _ in })
    }

    /// Runs `body` like ``write(_:)`` and, once its transaction has committed, `committed` with
    /// its result, still on the writer's thread and before the next write begins: whatever
    /// `committed` publishes comes out in commit order. `committed` must be quick and must
    /// not block (it holds up every write behind it); it is not called when `body` throws or
    /// the commit fails.
    @discardableResult
    public func write<Value: Sendable>(
        _ body: @escaping @Sendable (SQLiteConnection) throws -> Value, committed: @escaping @Sendable (Value) -> Void
    ) async throws -> Value {
        if configuration.opensReadOnly { throw SQLiteError.readOnly }
        return try await perform(on: writer) { connection in
            let value = try connection.transaction(.immediate) { try body(connection) }
            committed(value)
            return value
        }
    }

    /// Refuses new work, waits for the running and queued work to finish, then closes every
    /// connection (on the executor: the last close checkpoints the log). Every call, the
    /// first and any made meanwhile or later, returns only once the connections are closed;
    /// cancelling the calling task does not cut the wait short.
    public func close() async {
        let task = closing.withLock { closing in
            if let closing { return closing }
            let task = Task { await self.closeConnections() }
            closing = task
            return task
        }
        await task.value
    }

    /// The closing itself, run once.
    private func closeConnections() async {
        await writer.close()
        if readers !== writer { await readers.close() }
        // The writer closes last: the last connection to close checkpoints the log into the
        // file and removes it, which a reader's close would only try to do.
        let connections = (readers !== writer ? readers.connections : []) + writer.connections
        await configuration.executor.run { () -> Void in
            for pooled in connections { pooled.close() }
        }
    }

    /// Borrows a connection from `pool`, runs `job` with it on the executor, and gives it back.
    private func perform<Value: Sendable>(
        on pool: ConnectionPool, _ job: @escaping @Sendable (SQLiteConnection) throws -> Value
    ) async throws -> Value {
        let pooled = try await pool.acquire()
        defer { pool.release(pooled) }
        return try await configuration.executor.run { (cancellation: BlockingCancellation) throws -> Value in
            // Work queued behind others when its task was cancelled never starts.
            guard !cancellation.isCancelled else { throw CancellationError() }
            let connection = try pooled.connection()
            let interruption = JobInterruption(connection)
            cancellation.onCancel { interruption.interrupt() }
            defer { interruption.finish() }
            guard !cancellation.isCancelled else { throw CancellationError() }
            do {
                return try interruption.watching { try job(connection) }
            } catch where cancellation.isCancelled {
                // Whatever the job made of the interrupt (a store wraps SQLite's errors in
                // its own), the caller asked to stop: that is a cancellation, not a failure.
                throw CancellationError()
            }
        }
    }
}
