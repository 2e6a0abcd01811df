import CommunityMailTestSupport
import EncryptedSQLite
import Foundation
import Testing

/// The SQL surface of ``EncryptedDatabase``: values, rows, typed errors, transactions,
/// rekey and close, and every page size.
@Suite("EncryptedDatabase runs SQL with typed values and errors")
struct EncryptedDatabaseTests {
    static func makeDatabase(_ folder: TemporaryDirectory) throws -> EncryptedDatabase {
        try EncryptedDatabase(path: folder.path("mailbox.db"), configuration: try Fixture.configuration(kdfIterations: 1000))
    }

    @Test
    func storesAndQueriesRows() async throws {
        let folder = try TemporaryDirectory()
        let database = try Self.makeDatabase(folder)
        try await database.execute("CREATE TABLE message(id INTEGER PRIMARY KEY, subject TEXT NOT NULL UNIQUE, body BLOB, size REAL)")
        #expect(try await database.run("INSERT INTO message(subject, body, size) VALUES (?, ?, ?)", [.text("hello"), .blob([0, 1, 255]), .real(1.5)]) == 1)
        try await database.run("INSERT INTO message(subject, body) VALUES (?, NULL)", [.text("second")])
        let rows = try await database.query("SELECT id, subject, body, size FROM message ORDER BY id", [])
        #expect(rows.count == 2)
        #expect(rows[0]["subject"] == .text("hello"))
        #expect(rows[0]["body"] == .blob([0, 1, 255]))
        #expect(rows[0]["size"] == .real(1.5))
        #expect(rows[1]["body"] == .null)
        #expect(rows[1][0] == .integer(2))
        #expect(rows[0]["missing"] == .null)
    }

    @Test
    func sqlErrorsAreTyped() async throws {
        let folder = try TemporaryDirectory()
        let database = try Self.makeDatabase(folder)
        try await database.execute("CREATE TABLE t(name TEXT UNIQUE NOT NULL)")
        try await database.run("INSERT INTO t VALUES (?)", [.text("a")])
        await #expect(throws: EncryptedSQLiteError.sql) { try await database.run("INSERT INTO t VALUES (?)", [.text("a")]) }
        await #expect(throws: EncryptedSQLiteError.sql) { try await database.run("INSERT INTO t VALUES (NULL)", []) }
        await #expect(throws: EncryptedSQLiteError.sql) { try await database.execute("SELEC nonsense") }
        await #expect(throws: EncryptedSQLiteError.sql) { try await database.query("SELECT * FROM t WHERE name = ?", []) }
    }

    struct Abort: Error {}

    @Test
    func transactionsCommitOrRollBack() async throws {
        let folder = try TemporaryDirectory()
        let database = try Self.makeDatabase(folder)
        try await database.execute("CREATE TABLE t(x INTEGER)")
        let inserted = try await database.transaction { tx in
            try tx.run("INSERT INTO t VALUES (1)", [])
            try tx.run("INSERT INTO t VALUES (2)", [])
            return tx.lastInsertRowID
        }
        #expect(inserted == 2)
        await #expect(throws: Abort.self) {
            try await database.transaction { tx in
                try tx.run("INSERT INTO t VALUES (3)", [])
                throw Abort()
            }
        }
        #expect(try await database.query("SELECT count(*) FROM t", []).first?[0] == .integer(2))
    }

    @Test
    func rekeyKeepsDataAndCloseEndsUse() async throws {
        let folder = try TemporaryDirectory()
        let database = try Self.makeDatabase(folder)
        try await database.execute("CREATE TABLE t(x TEXT); INSERT INTO t VALUES ('kept')")
        try await database.rekey(to: .passphrase("a new passphrase"))
        #expect(try await database.query("SELECT x FROM t", []).first?[0] == .text("kept"))
        #expect(try await database.integrityCheck() == ["ok"])
        await database.close()
        await #expect(throws: EncryptedSQLiteError.closed) { try await database.query("SELECT 1", []) }
        await #expect(throws: EncryptedSQLiteError.closed) { try await database.rekey(to: .passphrase("again")) }
    }

    @Test(arguments: [512, 1024, 8192, 32768])
    func everyPageSizeRoundTrips(_ pageSize: Int) async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        let database = try EncryptedDatabase(
            path: path, configuration: try Fixture.configuration(pageSize: pageSize, kdfIterations: 1000))
        try await Fixture.fillSample(database, messages: 300)
        let digests = try await Fixture.digests(database)
        await database.close()
        let reopened = try EncryptedDatabase(
            path: path, configuration: try Fixture.configuration(pageSize: 4096, kdfIterations: 1000, create: false))
        #expect(try await reopened.query("PRAGMA page_size", []).first?[0] == .integer(Int64(pageSize)))
        #expect(try await reopened.integrityCheck() == ["ok"])
        #expect(try await Fixture.digests(reopened) == digests)
    }
}
