import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import Testing

/// One suite over both ``MailboxDatabase`` implementations: the encrypted file and the
/// in-memory fake follow the same rules and throw the same typed errors.
struct MailboxDatabaseTests {
    struct Factory: Sendable, CustomTestStringConvertible {
        let name: String
        let make: @Sendable (TemporaryDirectory) throws -> any MailboxDatabase
        var testDescription: String { name }
    }

    static let factories: [Factory] = [
        Factory(name: "EncryptedDatabase") { folder in
            try EncryptedDatabase(path: folder.path("mailbox.db"), configuration: try Fixture.configuration(kdfIterations: 1000))
        },
        Factory(name: "InMemoryMailboxDatabase") { _ in
            try InMemoryMailboxDatabase(key: try .passphrase(Fixture.passphrase))
        },
    ]

    @Test(arguments: factories)
    func storesAndQueriesRows(_ factory: Factory) async throws {
        let folder = try TemporaryDirectory()
        let database = try factory.make(folder)
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

    @Test(arguments: factories)
    func sqlErrorsAreTyped(_ factory: Factory) async throws {
        let folder = try TemporaryDirectory()
        let database = try factory.make(folder)
        try await database.execute("CREATE TABLE t(name TEXT UNIQUE NOT NULL)")
        try await database.run("INSERT INTO t VALUES (?)", [.text("a")])
        await #expect(throws: EncryptedMailboxError.sql) { try await database.run("INSERT INTO t VALUES (?)", [.text("a")]) }
        await #expect(throws: EncryptedMailboxError.sql) { try await database.run("INSERT INTO t VALUES (NULL)", []) }
        await #expect(throws: EncryptedMailboxError.sql) { try await database.execute("SELEC nonsense") }
        await #expect(throws: EncryptedMailboxError.sql) { try await database.query("SELECT * FROM t WHERE name = ?", []) }
    }

    struct Abort: Error {}

    @Test(arguments: factories)
    func transactionsCommitOrRollBack(_ factory: Factory) async throws {
        let folder = try TemporaryDirectory()
        let database = try factory.make(folder)
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

    @Test(arguments: factories)
    func rekeyKeepsDataAndCloseEndsUse(_ factory: Factory) async throws {
        let folder = try TemporaryDirectory()
        let database = try factory.make(folder)
        try await database.execute("CREATE TABLE t(x TEXT); INSERT INTO t VALUES ('kept')")
        try await database.rekey(to: .passphrase("a new passphrase"))
        #expect(try await database.query("SELECT x FROM t", []).first?[0] == .text("kept"))
        #expect(try await database.integrityCheck() == ["ok"])
        await database.close()
        await #expect(throws: EncryptedMailboxError.closed) { try await database.query("SELECT 1", []) }
        await #expect(throws: EncryptedMailboxError.closed) { try await database.rekey(to: .passphrase("again")) }
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
