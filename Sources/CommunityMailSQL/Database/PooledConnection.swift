/// A connection lent to one job at a time, opened by the first job that needs it: a
/// database with four readers that only ever runs one read at a time opens one.
/// `@unchecked`: the pool hands it to one borrower at a time, the borrower opens and uses it
/// only inside its job, and closing waits until the pool has every connection back.
final class PooledConnection: @unchecked Sendable {
    private var opened: SQLiteConnection?
    private var open: (@Sendable () throws(SQLiteError) -> SQLiteConnection)?

    /// A connection already open.
    init(_ connection: SQLiteConnection) {
        opened = connection
        open = nil
    }

    /// A connection that `open` opens when a job first borrows it.
    init(opening open: @escaping @Sendable () throws(SQLiteError) -> SQLiteConnection) {
        opened = nil
        self.open = open
    }

    /// The connection, opened now if no job has used it before. Only the borrower calls
    /// this, in its job; a failed open leaves it closed for the next borrower to try again.
    func connection() throws(SQLiteError) -> SQLiteConnection {
        if let opened { return opened }
        guard let open else { throw SQLiteError.closed }
        let connection = try open()
        opened = connection
        return connection
    }

    /// Whether a job has opened it: the pool lends open connections first.
    var isOpen: Bool { opened != nil }

    /// Closes the connection if it was ever opened, for good (a later borrower would get
    /// ``SQLiteError/closed``); for the database's close, once the pool has every
    /// connection back.
    func close() {
        opened?.close()
        opened = nil
        open = nil
    }
}
