import CommunityMailSQL
import CommunityMailTestSupport
import Foundation
import Testing

/// A migration step may be Swift code as well as SQL text: it runs in order with the SQL
/// steps, inside its step's transaction with the version bump, once, and a throw rolls the
/// step back, version included.
@Suite("SQLite migrations with Swift steps")
struct SQLiteMigrationTests {
    struct StepFailed: Error {}

    @Test("A code step runs between SQL steps, once; a throwing one rolls back its writes and the version")
    func codeSteps() throws {
        let folder = try TemporaryDirectory(prefix: "sql-migration")
        let path = folder.path("m.sqlite")
        let steps: [SQLiteMigration] = [
            "CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER NOT NULL); INSERT INTO t(v) VALUES (1), (2), (3);",
            .code { connection in
                #expect(connection.isInTransaction)
                for row in try connection.query("SELECT id, v FROM t") {
                    try connection.run("UPDATE t SET v = ? WHERE id = ?", [(row[1].integerValue ?? 0) * 10, row[0].integerValue ?? 0])
                }
            },
            SQLiteMigration(sql: "ALTER TABLE t ADD COLUMN note TEXT;"),
        ]
        do {
            let db = try SQLiteConnection(path: path)
            try db.migrate(steps)
            #expect(try db.userVersion == 3)
            #expect(try db.query("SELECT v FROM t ORDER BY id").map { $0[0].integerValue } == [10, 20, 30])
        }
        // Opened again: nothing runs twice.
        let db = try SQLiteConnection(path: path)
        try db.migrate(steps)
        #expect(try db.query("SELECT v FROM t ORDER BY id").map { $0[0].integerValue } == [10, 20, 30])

        let failing = steps + [
            .code { connection in
                try connection.run("INSERT INTO t(v) VALUES (99)")
                throw StepFailed()
            }
        ]
        #expect(throws: SQLiteError.migration) { try db.migrate(failing) }
        #expect(try db.userVersion == 3)
        #expect(try db.queryFirst("SELECT count(*) FROM t")?[0].integerValue == 3)
    }
}
