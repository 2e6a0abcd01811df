/// One step of a schema migration (``SQLiteConnection/migrate(_:)-([SQLiteMigration])``):
/// SQL text, or Swift code for work SQL does badly (a value computed over each row's bytes,
/// read in batches). Either way the step runs inside the migration's one write transaction,
/// with the version bump; a step that throws rolls back, version and all.
///
/// A string literal is a SQL step, so a list of migrations reads as before.
public struct SQLiteMigration: Sendable, ExpressibleByStringLiteral {
    private enum Work: Sendable {
        case sql(String)
        case code(@Sendable (SQLiteConnection) throws -> Void)
    }

    private let work: Work

    /// A step that runs `sql` (one or more statements that bind nothing).
    public init(sql: String) { work = .sql(sql) }

    /// A step that runs `sql`.
    public init(stringLiteral sql: String) { self.init(sql: sql) }

    private init(work: Work) { self.work = work }

    /// A step that runs `body` on the migrating connection, inside the step's transaction.
    /// It must not begin, commit or roll back a transaction of its own (savepoints through
    /// ``SQLiteConnection/transaction(_:_:)`` are fine), and must stay bounded in memory on
    /// any size of database.
    public static func code(_ body: @escaping @Sendable (SQLiteConnection) throws -> Void) -> SQLiteMigration {
        SQLiteMigration(work: .code(body))
    }

    /// Runs the step on `connection`.
    func run(on connection: SQLiteConnection) throws {
        switch work {
        case .sql(let sql): try connection.execute(sql)
        case .code(let body): try body(connection)
        }
    }
}
