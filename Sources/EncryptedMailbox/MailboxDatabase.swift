/// The SQL database a mailbox lives in: ``EncryptedDatabase`` on disk, or
/// ``InMemoryMailboxDatabase`` for tests of code built on top.
///
/// Both run real SQLite SQL with the same rules and the same typed errors.
public protocol MailboxDatabase: Actor {
    /// Runs statements that bind nothing and return nothing.
    func execute(_ sql: String) throws(EncryptedMailboxError)
    /// Runs `sql` with `parameters` and returns every row.
    func query(_ sql: String, _ parameters: [MailboxValue]) throws(EncryptedMailboxError) -> [MailboxRow]
    /// Runs `sql` with `parameters` to completion; returns the number of rows changed.
    @discardableResult
    func run(_ sql: String, _ parameters: [MailboxValue]) throws(EncryptedMailboxError) -> Int
    /// Runs `body` in an immediate transaction: committed when it returns, rolled back when it throws.
    func transaction<T: Sendable>(_ body: (MailboxTransaction) throws -> T) throws -> T
    /// Re-encrypts everything under `key`; afterwards only `key` opens the database.
    func rekey(to key: EncryptionKey) throws(EncryptedMailboxError)
    /// `PRAGMA integrity_check`'s lines ("ok" when sound).
    func integrityCheck() throws(EncryptedMailboxError) -> [String]
    /// Closes the database; later calls throw ``EncryptedMailboxError/closed``.
    func close()
}
