import CommunityMailSQL
import CommunityMailTestSupport
import Foundation
import Testing

@Suite("The internal SQLite layer")
struct SQLiteConnectionTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory(prefix: "sql-test") }

    @Test("Migrations run once, in order, and set user_version")
    func migrations() throws {
        let path = folder.path("m.sqlite")
        let migrations = [
            "CREATE TABLE a(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);",
            "ALTER TABLE a ADD COLUMN note TEXT;",
        ]
        do {
            let db = try SQLiteConnection(path: path)
            try db.migrate(migrations)
            #expect(try db.userVersion == 2)
            try db.run("INSERT INTO a(name, note) VALUES (?, ?)", ["x", "y"])
        }
        let db = try SQLiteConnection(path: path)
        try db.migrate(migrations)
        #expect(try db.query("SELECT name, note FROM a").map { try $0.text("name") } == ["x"])
        #expect(throws: SQLiteError.newerSchema) { try db.migrate(Array(migrations.prefix(1))) }
    }

    @Test("A failed migration is rolled back and reported")
    func failedMigration() throws {
        let db = try SQLiteConnection(path: folder.path("f.sqlite"))
        #expect(throws: SQLiteError.migration) {
            try db.migrate(["CREATE TABLE ok(x); CREATE TABLE broken(;"])
        }
        #expect(try db.userVersion == 0)
        #expect(try db.query("SELECT name FROM sqlite_schema WHERE name = 'ok'").isEmpty)
    }

    @Test("Transactions commit, roll back on throw, and nest as savepoints")
    func transactions() throws {
        let db = try SQLiteConnection(path: folder.path("t.sqlite"))
        try db.execute("CREATE TABLE t(v INTEGER)")
        try db.transaction { try db.run("INSERT INTO t VALUES (1)") }
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.run("INSERT INTO t VALUES (2)")
                throw Boom()
            }
        }
        try db.transaction {
            try db.run("INSERT INTO t VALUES (3)")
            try? db.transaction {
                try db.run("INSERT INTO t VALUES (4)")
                throw Boom()
            }
        }
        #expect(try db.query("SELECT v FROM t ORDER BY v").map { $0[0] } == [.integer(1), .integer(3)])
        #expect(!db.isInTransaction)
    }

    @Test("Constraint violations and bad SQL are typed errors")
    func errors() throws {
        let db = try SQLiteConnection(path: ":memory:")
        try db.execute("CREATE TABLE u(name TEXT UNIQUE NOT NULL)")
        try db.run("INSERT INTO u VALUES (?)", ["a"])
        #expect(throws: SQLiteError.constraint) { try db.run("INSERT INTO u VALUES (?)", ["a"]) }
        #expect(throws: SQLiteError.constraint) { try db.run("INSERT INTO u VALUES (NULL)") }
        #expect(throws: SQLiteError.prepare) { try db.run("SELEC 1") }
        #expect(throws: SQLiteError.bind) { try db.run("INSERT INTO u VALUES (?)", []) }
    }

    @Test("A file that is not a database is refused at open")
    func notADatabase() throws {
        let path = folder.path("junk.sqlite")
        try Data(repeating: 0x5a, count: 8192).write(to: URL(fileURLWithPath: path))
        #expect(throws: SQLiteError.notADatabase) { try SQLiteConnection(path: path) }
    }

    @Test("Values round-trip: integers, doubles, text, blobs, NULL")
    func values() throws {
        let db = try SQLiteConnection(path: ":memory:")
        try db.execute("CREATE TABLE v(i, r, t, b, n)")
        let blob = [UInt8](0...255)
        try db.run("INSERT INTO v VALUES (?, ?, ?, ?, ?)", [Int64.min, 2.5, "héllo ✉️", blob, SQLiteValue.null])
        let row = try #require(try db.queryFirst("SELECT * FROM v"))
        #expect(row["i"] == .integer(Int64.min))
        #expect(row["r"] == .real(2.5))
        #expect(row["t"] == .text("héllo ✉️"))
        #expect(row["b"] == .blob(blob))
        #expect(row["n"] == .null)
        #expect(throws: SQLiteError.typeMismatch) { try row.text("i") }
    }

    @Test("WAL mode: a reader sees committed data while a writer holds a transaction")
    func walReaders() throws {
        let path = folder.path("w.sqlite")
        let writer = try SQLiteConnection(path: path)
        try writer.execute("CREATE TABLE t(v)")
        try writer.run("INSERT INTO t VALUES (1)")
        let reader = try SQLiteConnection(path: path)
        #expect(try writer.queryFirst("PRAGMA journal_mode")?[0] == .text("wal"))
        try writer.transaction {
            try writer.run("INSERT INTO t VALUES (2)")
            #expect(try reader.query("SELECT v FROM t").count == 1)
        }
        #expect(try reader.query("SELECT v FROM t").count == 2)
        #expect(try reader.integrityCheck() == ["ok"])
    }

    @Test("A second writer waits for the busy timeout, then fails with busy")
    func busy() throws {
        let path = folder.path("b.sqlite")
        var quick = SQLiteConnection.Configuration()
        quick.busyTimeout = .milliseconds(50)
        let first = try SQLiteConnection(path: path)
        try first.execute("CREATE TABLE t(v)")
        let second = try SQLiteConnection(path: path, configuration: quick)
        try first.execute("BEGIN IMMEDIATE")
        #expect(throws: SQLiteError.busy) { try second.run("INSERT INTO t VALUES (1)") }
        try first.execute("COMMIT")
        try second.run("INSERT INTO t VALUES (1)")
    }
}


@Suite("SQLiteStatement: column readers for loops over many rows")
struct SQLiteStatementColumnTests {
    @Test("integer(at:) and nonEmptyText(at:) read what value(at:) reads, NULL and empty text as 0 and nil")
    func columnReaders() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let statement = try connection.prepare("SELECT 42, -7, NULL, '', 'a b', '12', 9223372036854775807")
        #expect(try statement.step())
        #expect(statement.integer(at: 0) == 42)
        #expect(statement.integer(at: 1) == -7)
        #expect(statement.integer(at: 2) == 0)
        #expect(statement.nonEmptyText(at: 2) == nil)
        #expect(statement.nonEmptyText(at: 3) == nil)
        #expect(statement.nonEmptyText(at: 4) == "a b")
        #expect(statement.integer(at: 5) == 12)
        #expect(statement.nonEmptyText(at: 4) == statement.value(at: 4).textValue)
        #expect(statement.integer(at: 6) == Int64.max)
        #expect(try !statement.step())
    }
}
