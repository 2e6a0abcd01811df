import CommunityMailSQL

/// An in-memory stand-in for ``EncryptedDatabase`` in tests of code built on top: the same
/// SQLite engine and SQL rules, the same typed errors, nothing written to disk (so nothing
/// to encrypt). `rekey(to:)` replaces the held key, as the real one does.
public actor InMemoryMailboxDatabase: MailboxDatabase {
    private var connection: SQLiteConnection?
    /// The key the database is "encrypted" under; the fake keeps it only to mirror rekeying.
    public private(set) var key: EncryptionKey

    /// An empty database held under `key`.
    /// - Throws: ``EncryptedMailboxError/io`` if SQLite cannot open an in-memory database.
    public init(key: EncryptionKey) throws(EncryptedMailboxError) {
        var options = SQLiteConnection.Configuration()
        options.writeAheadLog = false
        do {
            connection = try SQLiteConnection(path: ":memory:", configuration: options)
        } catch {
            throw EncryptedMailboxError.io.with(message: error.message)
        }
        self.key = key
    }

    private func handle() throws(EncryptedMailboxError) -> MailboxTransaction {
        guard let connection else { throw EncryptedMailboxError.closed }
        return MailboxTransaction(connection: connection) { error in
            EncryptedMailboxError.sql.with(message: error.message)
        }
    }

    /// Runs statements that bind nothing and return nothing.
    public func execute(_ sql: String) throws(EncryptedMailboxError) {
        try handle().execute(sql)
    }

    /// Runs `sql` with `parameters` and returns every row.
    public func query(_ sql: String, _ parameters: [MailboxValue] = []) throws(EncryptedMailboxError) -> [MailboxRow] {
        try handle().query(sql, parameters)
    }

    /// Runs `sql` with `parameters` to completion; returns the number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ parameters: [MailboxValue] = []) throws(EncryptedMailboxError) -> Int {
        try handle().run(sql, parameters)
    }

    /// Runs `body` in an immediate transaction: committed when it returns, rolled back when it throws.
    public func transaction<T: Sendable>(_ body: (MailboxTransaction) throws -> T) throws -> T {
        let handle = try handle()
        return try handle.connection.transaction(.immediate) { try body(handle) }
    }

    /// Replaces the key.
    /// - Throws: ``EncryptedMailboxError/closed``.
    public func rekey(to key: EncryptionKey) throws(EncryptedMailboxError) {
        guard connection != nil else { throw EncryptedMailboxError.closed }
        self.key = key
    }

    /// `PRAGMA integrity_check`'s lines ("ok" when sound).
    public func integrityCheck() throws(EncryptedMailboxError) -> [String] {
        try handle().query("PRAGMA integrity_check").compactMap { $0[0].textValue }
    }

    /// Drops the database; later calls throw ``EncryptedMailboxError/closed``.
    public func close() {
        connection = nil
    }
}
