import CommunityMailCSQLite
package import CommunityMailSQL
import CommunityMailSystem
import Foundation
import Synchronization

/// A SQLite database encrypted page by page in SQLite3 Multiple Ciphers' `chacha20`
/// format, so that any sqlite3mc build opens it with the same passphrase (and we open
/// theirs).
///
/// ```swift
/// let key = try EncryptionKey.passphrase(passphrase)
/// let database = try EncryptedDatabase(path: "alice.mailbox", configuration: .init(key: key))
/// try await database.execute("CREATE TABLE IF NOT EXISTS message(id INTEGER PRIMARY KEY, body BLOB)")
/// try await database.run("INSERT INTO message(body) VALUES (?)", [.blob(body)])
/// let rows = try await database.query("SELECT id, body FROM message", [])
/// ```
///
/// The database file, its rollback journal, its WAL and SQLite's temporary files hold
/// no plaintext page content; memory-mapped I/O is off for them. See
/// Documentation/EncryptedSQLite.md for the format and what it does not protect.
///
/// Every call runs its SQLite work (and a rekey's copying and syncing) as one job on the
/// configured executor (``Configuration/executor``), never on Swift's cooperative pool; jobs
/// on one database run one at a time, in turn, and wait for their turn as async suspensions
/// before they reach the executor, so however many callers wait, the database holds at most
/// one executor thread.
public actor EncryptedDatabase {
    /// The file's path.
    public nonisolated let path: String
    /// The configuration and the open connection, touched only inside a job, under its lock
    /// (never contended: ``turn`` lets one job at a time run).
    let state: LockedState
    /// The turn that lets one job at a time go to the executor.
    private let turn = JobTurn()
    /// Where the jobs run.
    private let executor: BlockingExecutor

    /// What a job works on.
    struct State {
        var configuration: Configuration
        var current: EncryptedConnection?
    }

    /// ``State`` behind the lock that lets one job at a time use the connection.
    final class LockedState: Sendable {
        let mutex: Mutex<State>
        init(_ state: sending State) { mutex = Mutex(state) }
    }

    /// Opens the database at `path`, creating it when missing (and `configuration.create`).
    /// - Throws: ``EncryptedSQLiteError/wrongKey``, ``EncryptedSQLiteError/notEncrypted``,
    ///   ``EncryptedSQLiteError/unsupportedOptions``, ``EncryptedSQLiteError/tamperedPage``,
    ///   ``EncryptedSQLiteError/io``.
    public init(path: String, configuration: Configuration) throws(EncryptedSQLiteError) {
        try configuration.validate()
        self.path = path
        executor = configuration.executor
        state = LockedState(State(configuration: configuration, current: try Self.open(path: path, configuration: configuration)))
        if !configuration.readOnly { Self.removeLeftovers(of: path) }
    }

    /// Waits for the database's turn, then runs `job` on the executor with the state, so it
    /// alone uses the connection.
    func perform<Value: Sendable, Failure: Error>(
        _ job: @escaping @Sendable (inout State) throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let state = self.state
        await turn.begin()
        defer { turn.end() }
        return try await executor.run { () throws(Failure) -> Value in
            try state.mutex.withLock { (locked: inout State) throws(Failure) -> Value in try job(&locked) }
        }
    }

    /// Opens `path` as ``init(path:configuration:)`` does and returns the bare connection,
    /// for code in this package that drives `SQLiteConnection` itself (the mailbox model,
    /// the `nonce-fork` test tool, which must not touch actors after `fork()`).
    /// The VFS instance lives as long as the connection's files are open.
    package static func openConnection(path: String, configuration: Configuration) throws(EncryptedSQLiteError) -> SQLiteConnection {
        try configuration.validate()
        let opened = try open(path: path, configuration: configuration)
        guard let connection = opened.connection else { throw EncryptedSQLiteError.closed }
        opened.vfs.unregister()
        return connection
    }

    /// Opens `path` through a fresh VFS instance holding `configuration.key`.
    static func open(path: String, configuration: Configuration) throws(EncryptedSQLiteError) -> EncryptedConnection {
        let keyState = DatabaseKeyState(
            key: configuration.key, kdfIterations: configuration.kdfIterations, legacy: configuration.legacy,
            configuredPageSize: configuration.pageSize)
        var checked = configuration
        if configuration.readOnly { checked.create = false }
        let isNew = try FileCheck.verify(path: path, configuration: checked, keyState: keyState) && !configuration.readOnly
        let vfs = try EncryptingVFS(keyState: keyState)
        var options = SQLiteConnection.Configuration()
        options.vfsName = vfs.name
        options.create = checked.create
        options.readOnly = configuration.readOnly
        options.writeAheadLog = false
        options.busyTimeout = configuration.busyTimeout
        options.synchronous = configuration.synchronous
        let connection: SQLiteConnection
        do {
            connection = try SQLiteConnection(path: path, configuration: options)
        } catch {
            vfs.unregister()
            throw map(error, keyState: keyState)
        }
        do {
            // Temporary tables and statement journals stay in memory (the VFS would encrypt
            // them anyway, with a throwaway key).
            try connection.execute("PRAGMA temp_store = MEMORY")
            if isNew {
                try connection.execute("PRAGMA page_size = \(configuration.pageSize)")
                var reserve = Int32(PageCipher.reserveBytes)
                guard sqlite3_file_control(connection.handle, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve) == SQLITE_OK else {
                    throw EncryptedSQLiteError.io.with(message: "cannot reserve page bytes for the nonce and tag")
                }
                // Writing the header now fixes the page size and the 32 reserved bytes.
                try connection.execute("PRAGMA user_version = 0")
            }
            // A read-only connection takes the file as it is: changing the journal mode writes.
            if !configuration.readOnly {
                try connection.execute("PRAGMA journal_mode = \(configuration.writeAheadLog ? "WAL" : "DELETE")")
            }
        } catch let error as EncryptedSQLiteError {
            vfs.unregister()
            throw error
        } catch let error as SQLiteError {
            vfs.unregister()
            throw map(error, keyState: keyState)
        } catch {
            vfs.unregister()
            throw EncryptedSQLiteError.io
        }
        return EncryptedConnection(vfs: vfs, connection: connection)
    }

    /// The typed error for a SQLite failure: what the VFS recorded, if anything.
    static func map(_ error: SQLiteError, keyState: DatabaseKeyState) -> EncryptedSQLiteError {
        if let failure = keyState.takeFailure() { return failure }
        if error == .notADatabase { return EncryptedSQLiteError.notEncrypted.with(message: error.message) }
        if error == .corrupt { return EncryptedSQLiteError.tamperedPage.with(message: error.message) }
        if error == .readOnly { return EncryptedSQLiteError.readOnly.with(message: error.message) }
        if error == .open || error == .ioFailure || error == .full {
            return EncryptedSQLiteError.io.with(message: error.message).with(transient: error.isTransient)
        }
        return EncryptedSQLiteError.sql.with(message: error.message).with(transient: error.isTransient)
    }

    /// A rekey interrupted before its rename leaves a copy behind; it is never needed.
    static func removeLeftovers(of path: String) {
        for suffix in [".rekey", ".rekey-journal"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    /// Pages checkpoints of this connection copied from the WAL as ciphertext, without
    /// decrypting and encrypting them again.
    var pagesCheckpointedAsCiphertext: Int {
        get async { await perform { state in state.current?.vfs.keyState.handoff.pagesHandedOver ?? 0 } }
    }

    /// The statements of one job on the open connection.
    static func handle(_ state: State) throws(EncryptedSQLiteError) -> Transaction {
        guard let current = state.current, let connection = current.connection else { throw EncryptedSQLiteError.closed }
        let keyState = current.vfs.keyState
        _ = keyState.takeFailure()
        return Transaction(connection: connection) { Self.map($0, keyState: keyState) }
    }

    /// Runs statements that bind nothing and return nothing.
    public func execute(_ sql: String) async throws(EncryptedSQLiteError) {
        try await perform { (state) throws(EncryptedSQLiteError) in try Self.handle(state).execute(sql) }
    }

    /// Runs `sql` with `parameters` and returns every row.
    public func query(_ sql: String, _ parameters: [Value] = []) async throws(EncryptedSQLiteError) -> [Row] {
        try await perform { (state) throws(EncryptedSQLiteError) in try Self.handle(state).query(sql, parameters) }
    }

    /// Runs `sql` with `parameters` to completion; returns the number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ parameters: [Value] = []) async throws(EncryptedSQLiteError) -> Int {
        try await perform { (state) throws(EncryptedSQLiteError) in try Self.handle(state).run(sql, parameters) }
    }

    /// Runs `body` in an immediate transaction, as one job on the executor: committed when it
    /// returns, rolled back when it throws.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (Transaction) throws -> T) async throws -> T {
        try await perform { (state) throws -> T in
            let handle = try Self.handle(state)
            do {
                return try handle.connection.transaction(.immediate) { try body(handle) }
            } catch let error as SQLiteError {
                // BEGIN or COMMIT failed (busy, read-only, a tampered page): this module's error.
                throw handle.mapError(error)
            }
        }
    }

    /// `PRAGMA integrity_check`'s lines ("ok" when sound).
    /// - Throws: the tampered-page error when a page fails authentication (SQLite's check
    ///   would only report it as a page it cannot read).
    public func integrityCheck() async throws(EncryptedSQLiteError) -> [String] {
        try await perform { (state) throws(EncryptedSQLiteError) in
            let lines = try Self.handle(state).query("PRAGMA integrity_check").compactMap { $0[0].textValue }
            if let failure = state.current?.vfs.keyState.takeFailure() { throw failure }
            return lines
        }
    }

    /// Copies the WAL into the database file and empties it, so the file alone is complete
    /// (for copying it, or opening it with sqlite3mc while this connection stays open).
    public func checkpoint() async throws(EncryptedSQLiteError) {
        try await perform { (state) throws(EncryptedSQLiteError) in
            guard state.configuration.writeAheadLog else { return }
            try Self.handle(state).execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// Closes the connection and unregisters the VFS. Closing a WAL database checkpoints
    /// and removes its WAL.
    public func close() async {
        await perform { state in
            state.current?.close()
            state.current = nil
        }
    }
}
