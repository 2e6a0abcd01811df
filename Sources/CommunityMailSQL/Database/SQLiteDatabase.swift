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
/// `CancellationError`), and a running statement is interrupted (`sqlite3_interrupt`) and
/// its transaction rolled back. Errors from SQLite are ``SQLiteError``s, which keep SQLite's
/// result code and say whether they are transient.
public final class SQLiteDatabase: Sendable {
    /// How the database was opened.
    public let configuration: Configuration
    private let writer: ConnectionPool
    /// The writer's pool again for an in-memory database.
    private let readers: ConnectionPool
    /// Set by the first `close`, which alone closes the connections.
    private let closing = Mutex(false)

    /// Opens (creating when missing) the database, sets its journal and sync modes and runs
    /// the migrations it lacks, on the calling thread: for start-up, before any task depends
    /// on the cooperative pool being free; from async code prefer ``open(_:)``.
    /// - Throws: ``SQLiteError/open`` or ``SQLiteError/notADatabase`` for a file that cannot
    ///   be used; ``SQLiteError/newerSchema`` when the file's schema version is newer than
    ///   `configuration.migrations`; ``SQLiteError/migration`` when a step fails (that step
    ///   is rolled back).
    public init(configuration: Configuration) throws(SQLiteError) {
        self.configuration = configuration
        let writerConnection = try SQLiteConnection(
            path: configuration.openPath, configuration: configuration.connectionConfiguration(queryOnly: false))
        try writerConnection.migrate(configuration.migrations)
        writer = ConnectionPool([writerConnection])
        switch configuration.storage {
        case .inMemory:
            readers = writer
        case .file(let path):
            var readerConnections: [SQLiteConnection] = []
            for _ in 0..<max(1, configuration.readerCount) {
                readerConnections.append(
                    try SQLiteConnection(path: path, configuration: configuration.connectionConfiguration(queryOnly: true)))
            }
            readers = ConnectionPool(readerConnections)
        }
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
    ///   holds the write lock past the busy timeout; `CancellationError`; ``SQLiteError/closed``.
    @discardableResult
    public func write<Value: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> Value) async throws -> Value {
        try await perform(on: writer) { connection in try connection.transaction(.immediate) { try body(connection) } }
    }

    /// Refuses new work, waits for the running and queued work to finish, then closes every
    /// connection (on the executor: the last close checkpoints the log). Closing again
    /// waits for the work, and leaves the closing to the first call.
    public func close() async {
        await writer.close()
        if readers !== writer { await readers.close() }
        let first = closing.withLock { closing in
            defer { closing = true }
            return !closing
        }
        guard first else { return }
        let connections = writer.connections + (readers !== writer ? readers.connections : [])
        await configuration.executor.run { () -> Void in
            for pooled in connections { pooled.connection.close() }
        }
    }

    /// Borrows a connection from `pool`, runs `job` with it on the executor, and gives it back.
    private func perform<Value: Sendable>(
        on pool: ConnectionPool, _ job: @escaping @Sendable (SQLiteConnection) throws -> Value
    ) async throws -> Value {
        let pooled = try await pool.acquire()
        defer { pool.release(pooled) }
        return try await configuration.executor.run { (cancellation: BlockingCancellation) throws -> Value in
            let interruption = Interruption(pooled)
            cancellation.onCancel { interruption.interrupt() }
            defer { interruption.finish() }
            // Work queued behind others when its task was cancelled never starts.
            guard !cancellation.isCancelled else { throw CancellationError() }
            do {
                return try job(pooled.connection)
            } catch where cancellation.isCancelled {
                // Whatever the job made of the interrupt (a store wraps SQLite's errors in
                // its own), the caller asked to stop: that is a cancellation, not a failure.
                throw CancellationError()
            }
        }
    }
}

/// Interrupts one job's statements when its task is cancelled, and never a later job's: once
/// the job has finished, `interrupt` does nothing.
private final class Interruption: Sendable {
    private let pooled: PooledConnection
    private let running = Mutex(true)

    init(_ pooled: PooledConnection) { self.pooled = pooled }

    func interrupt() {
        running.withLock { running in
            if running { pooled.connection.interrupt() }
        }
    }

    func finish() { running.withLock { $0 = false } }
}
