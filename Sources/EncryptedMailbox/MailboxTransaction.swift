import CommunityMailSQL

/// The statements a transaction body runs, synchronously, on the database's connection.
///
/// Only valid inside the `transaction` call that handed it out.
public struct MailboxTransaction {
    let connection: SQLiteConnection
    let mapError: (SQLiteError) -> EncryptedMailboxError

    /// Runs statements that bind nothing and return nothing.
    public func execute(_ sql: String) throws(EncryptedMailboxError) {
        do { try connection.execute(sql) } catch { throw mapError(error) }
    }

    /// Runs `sql` with `parameters` and returns every row.
    public func query(_ sql: String, _ parameters: [MailboxValue] = []) throws(EncryptedMailboxError) -> [MailboxRow] {
        do {
            return try connection.query(sql, parameters.map(\.sqliteValue)).map {
                MailboxRow(columns: $0.columns, values: $0.values.map(MailboxValue.init))
            }
        } catch { throw mapError(error) }
    }

    /// Runs `sql` with `parameters` to completion; returns the number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ parameters: [MailboxValue] = []) throws(EncryptedMailboxError) -> Int {
        do { return try connection.run(sql, parameters.map(\.sqliteValue)) } catch { throw mapError(error) }
    }

    /// The rowid of the last row inserted on this connection.
    public var lastInsertRowID: Int64 { connection.lastInsertRowID }
}

/// A transaction handle belongs to the `transaction` call that handed it out and must not
/// cross to another task.
@available(*, unavailable)
extension MailboxTransaction: Sendable {}
