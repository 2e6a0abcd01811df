import CommunityMailSQL

extension EncryptedDatabase {
    /// The statements a transaction body runs, synchronously, on the database's connection.
    ///
    /// Only valid inside the `transaction` call that handed it out.
    public struct Transaction {
        let connection: SQLiteConnection
        let mapError: (SQLiteError) -> EncryptedSQLiteError

        /// Runs statements that bind nothing and return nothing.
        public func execute(_ sql: String) throws(EncryptedSQLiteError) {
            do { try connection.execute(sql) } catch { throw mapError(error) }
        }

        /// Runs `sql` with `parameters` and returns every row.
        public func query(_ sql: String, _ parameters: [Value] = []) throws(EncryptedSQLiteError) -> [Row] {
            do {
                return try connection.query(sql, parameters.map(\.sqliteValue)).map {
                    Row(columns: $0.columns, values: $0.values.map(Value.init))
                }
            } catch { throw mapError(error) }
        }

        /// Runs `sql` with `parameters` to completion; returns the number of rows changed.
        @discardableResult
        public func run(_ sql: String, _ parameters: [Value] = []) throws(EncryptedSQLiteError) -> Int {
            do { return try connection.run(sql, parameters.map(\.sqliteValue)) } catch { throw mapError(error) }
        }

        /// The rowid of the last row inserted on this connection.
        public var lastInsertRowID: Int64 { connection.lastInsertRowID }
    }
}

/// A transaction handle belongs to the `transaction` call that handed it out and must not
/// cross to another task.
@available(*, unavailable)
extension EncryptedDatabase.Transaction: Sendable {}
