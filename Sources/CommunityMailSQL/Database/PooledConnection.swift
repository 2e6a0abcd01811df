/// A connection lent to one job at a time. `@unchecked`: the pool hands it to one borrower
/// at a time, and it is used only inside that borrower's job.
final class PooledConnection: @unchecked Sendable {
    let connection: SQLiteConnection
    init(_ connection: SQLiteConnection) { self.connection = connection }
}
