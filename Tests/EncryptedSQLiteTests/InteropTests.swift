import CommunityMailTestSupport
import EncryptedSQLite
import Foundation
import Testing

/// Files we write open in SQLite3 Multiple Ciphers (apsw-sqlite3mc), and its files open here.
@Suite(.enabled(if: Peer.enabled, "needs apsw-sqlite3mc (Scripts/install-test-deps)"))
struct InteropTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var pageSize: Int
        var legacy: Bool
        var writeAheadLog: Bool
        var kdfIterations: Int = 64007

        var peerArguments: [String] {
            legacy
                ? ["--legacy", "--page-size", String(pageSize)]
                : ["--kdf-iter", String(kdfIterations), "--page-size", String(pageSize)]
        }

        func configuration(create: Bool = true) throws -> EncryptedDatabase.Configuration {
            try Fixture.configuration(
                pageSize: pageSize, legacy: legacy, writeAheadLog: writeAheadLog, kdfIterations: kdfIterations, create: create)
        }

        var testDescription: String {
            "page size \(pageSize)\(legacy ? ", legacy" : ""), \(writeAheadLog ? "WAL" : "rollback journal"), \(kdfIterations) iterations"
        }
    }

    static let cases: [Case] = [
        Case(pageSize: 4096, legacy: false, writeAheadLog: true),
        Case(pageSize: 65536, legacy: false, writeAheadLog: false, kdfIterations: 10_000),
        Case(pageSize: 4096, legacy: true, writeAheadLog: true),
    ]

    @Test("sqlite3mc opens a file we wrote", arguments: cases)
    func sqlite3mcReadsOurFile(_ testCase: Case) async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("ours.db")
        let database = try EncryptedDatabase(path: path, configuration: try testCase.configuration())
        try await Fixture.fillSample(database)
        let ours = try await Fixture.digests(database)
        #expect(ours.count == 3)
        // Closing checkpoints and removes the WAL: sqlite3mc reads checkpointed files only.
        await database.close()
        let lines = try await Peer.run("sqlite3mc_read.py", [path] + testCase.peerArguments)
        #expect(lines.first == "integrity\tok")
        #expect(lines.dropFirst().first == "page_size\t\(testCase.pageSize)")
        #expect(Array(lines.dropFirst(2)) == ours)
    }

    @Test("we open a file sqlite3mc wrote, and it reads our changes", arguments: cases)
    func weReadSqlite3mcFile(_ testCase: Case) async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("theirs.db")
        let theirs = try await Peer.run("sqlite3mc_write.py", [path] + testCase.peerArguments)
        #expect(theirs.count == 3)
        let database = try EncryptedDatabase(path: path, configuration: try testCase.configuration(create: false))
        #expect(try await database.integrityCheck() == ["ok"])
        #expect(try await Fixture.digests(database) == theirs)
        try await database.run("INSERT INTO account VALUES (?, ?, ?)", [.integer(1000), .text("new@ubuntu.com"), .blob([1, 2, 3])])
        try await database.run("DELETE FROM message WHERE id % 3 = 0", [])
        let changed = try await Fixture.digests(database)
        await database.close()
        let lines = try await Peer.run("sqlite3mc_read.py", [path] + testCase.peerArguments)
        #expect(lines.first == "integrity\tok")
        #expect(Array(lines.dropFirst(2)) == changed)
    }

    @Test("a raw 32-byte key is sqlite3mc's x'<hex>' key, both ways")
    func rawKeyInterop() async throws {
        let folder = try TemporaryDirectory()
        let rawKey = (0..<32).map { UInt8($0 * 7 + 3) }
        let hexKey = "x'" + rawKey.map { String(format: "%02x", $0) }.joined() + "'"
        var configuration = try Fixture.configuration(writeAheadLog: false)
        configuration.key = try .raw(rawKey)
        let ours = folder.path("raw-ours.db")
        let database = try EncryptedDatabase(path: ours, configuration: configuration)
        try await Fixture.fillSample(database, messages: 500)
        let digests = try await Fixture.digests(database)
        await database.close()
        let lines = try await Peer.run("sqlite3mc_read.py", [ours], passphrase: hexKey)
        #expect(lines.first == "integrity\tok")
        #expect(Array(lines.dropFirst(2)) == digests)

        let theirs = folder.path("raw-theirs.db")
        let written = try await Peer.run("sqlite3mc_write.py", [theirs], passphrase: hexKey)
        configuration.create = false
        let opened = try EncryptedDatabase(path: theirs, configuration: configuration)
        #expect(try await Fixture.digests(opened) == written)
    }
}
