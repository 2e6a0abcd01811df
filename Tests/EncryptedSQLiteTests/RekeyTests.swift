import CommunityMailTestSupport
@testable import EncryptedSQLite
import Foundation
import Testing

/// Rekeying rewrites every page under the new key; the old key stops working.
struct RekeyTests {
    /// A closed database at `path` holding one row, 'kept', under the fixture's passphrase.
    static func createKept(at path: String) async throws {
        let created = try EncryptedDatabase(path: path, configuration: try Fixture.configuration(kdfIterations: 1000))
        try await created.execute("CREATE TABLE t(x); INSERT INTO t VALUES ('kept')")
        await created.close()
    }

    /// The old passphrase no longer opens `path`; "the new passphrase" does and reads `rows` from t.
    static func expectOnlyTheNewKeyOpens(_ path: String, rows: [String]) async throws {
        #expect(throws: EncryptedSQLiteError.wrongKey) {
            try EncryptedDatabase(path: path, configuration: try Fixture.configuration(kdfIterations: 1000, create: false))
        }
        let reopened = try EncryptedDatabase(
            path: path, configuration: try Fixture.configuration(passphrase: "the new passphrase", kdfIterations: 1000, create: false))
        #expect(try await reopened.query("SELECT x FROM t ORDER BY rowid").map(\.values) == rows.map { [.text($0)] })
        await reopened.close()
    }

    @Test func oldKeyStopsWorkingNewKeyOpens() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        let database = try EncryptedDatabase(path: path, configuration: try Fixture.configuration(kdfIterations: 1000))
        try await Fixture.fillSample(database, messages: 500)
        let before = try await Fixture.digests(database)
        let oldSalt = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(16)
        try await database.rekey(to: .passphrase("the new passphrase"))
        #expect(try await Fixture.digests(database) == before)
        try await database.run("INSERT INTO account VALUES (500, 'after-rekey', 1)", [])
        await database.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(16) != oldSalt)
        #expect(throws: EncryptedSQLiteError.wrongKey) {
            try EncryptedDatabase(path: path, configuration: try Fixture.configuration(kdfIterations: 1000, create: false))
        }
        let reopened = try EncryptedDatabase(
            path: path, configuration: try Fixture.configuration(passphrase: "the new passphrase", kdfIterations: 1000, create: false))
        #expect(try await reopened.integrityCheck() == ["ok"])
        #expect(try await reopened.query("SELECT name FROM account WHERE id = 500", []).first?[0] == .text("after-rekey"))
        #expect(FileManager.default.fileExists(atPath: path + ".rekey") == false)
    }

    /// The rename happened, the folder's fsync failed: the new key opens the file, and the
    /// error says so (it used to say `.wrongKey`, from reopening with the old key).
    @Test func failedFolderSyncReportsTheNewKey() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        var configuration = try Fixture.configuration(kdfIterations: 1000)
        configuration.syncFolder = { _ throws(EncryptedSQLiteError) in
            throw EncryptedSQLiteError.io.with(message: "injected fsync failure")
        }
        let database = try EncryptedDatabase(path: path, configuration: configuration)
        try await database.execute("CREATE TABLE t(x); INSERT INTO t VALUES ('kept')")
        await #expect(throws: EncryptedSQLiteError.rekeyNotDurable) {
            try await database.rekey(to: .passphrase("the new passphrase"))
        }
        // Still open, under the new key.
        #expect(try await database.query("SELECT x FROM t").map(\.values) == [[.text("kept")]])
        try await database.run("INSERT INTO t VALUES ('after')")
        await database.close()
        try await Self.expectOnlyTheNewKeyOpens(path, rows: ["kept", "after"])
    }

    /// The rename happened, reopening failed (the file is gone for a moment): the error is
    /// its own kind, says the new key opens the file, and carries the open's error.
    @Test func failedReopenAfterTheRenameIsRekeyedButClosed() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        try await Self.createKept(at: path)
        var configuration = try Fixture.configuration(kdfIterations: 1000, create: false)
        configuration.syncFolder = { _ throws(EncryptedSQLiteError) in
            guard rename(path, path + ".aside") == 0 else { throw EncryptedSQLiteError.io }
        }
        let database = try EncryptedDatabase(path: path, configuration: configuration)
        await #expect {
            try await database.rekey(to: .passphrase("the new passphrase"))
        } throws: { error in
            let error = error as? EncryptedSQLiteError
            return error == .rekeyedButClosed && error?.cause != nil
        }
        await #expect(throws: EncryptedSQLiteError.closed) { try await database.query("SELECT x FROM t") }
        #expect(rename(path + ".aside", path) == 0)
        try await Self.expectOnlyTheNewKeyOpens(path, rows: ["kept"])
    }

    /// The rename failed and reopening under the old key failed too: still `.rekeyFailed`
    /// (the old key opens the file), with the open's error as its cause, not the raw error.
    @Test func failedReopenAfterAFailedRenameIsRekeyFailed() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        try await Self.createKept(at: path)
        var configuration = try Fixture.configuration(kdfIterations: 1000, create: false)
        configuration.replaceFile = { _, database throws(EncryptedSQLiteError) in
            _ = rename(database, database + ".aside")
            throw EncryptedSQLiteError.io.with(message: "injected rename failure")
        }
        let database = try EncryptedDatabase(path: path, configuration: configuration)
        await #expect {
            try await database.rekey(to: .passphrase("the new passphrase"))
        } throws: { error in
            let error = error as? EncryptedSQLiteError
            return error == .rekeyFailed && error?.cause != nil
        }
        #expect(rename(path + ".aside", path) == 0)
        let reopened = try EncryptedDatabase(path: path, configuration: try Fixture.configuration(kdfIterations: 1000, create: false))
        #expect(try await reopened.query("SELECT x FROM t").map(\.values) == [[.text("kept")]])
        await reopened.close()
    }

    @Test func rekeyToRawKey() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        let database = try EncryptedDatabase(path: path, configuration: try Fixture.configuration(writeAheadLog: false, kdfIterations: 1000))
        try await database.execute("CREATE TABLE t(x); INSERT INTO t VALUES ('raw')")
        let rawKey = [UInt8](repeating: 0x5a, count: 32)
        try await database.rekey(to: .raw(rawKey))
        await database.close()
        var configuration = try Fixture.configuration(writeAheadLog: false, create: false)
        configuration.key = try .raw(rawKey)
        let reopened = try EncryptedDatabase(path: path, configuration: configuration)
        #expect(try await reopened.query("SELECT x FROM t", []).first?[0] == .text("raw"))
    }

    @Test func interruptedRekeyLeavesTheOldKeyWorking() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        let database = try EncryptedDatabase(path: path, configuration: try Fixture.configuration(kdfIterations: 1000))
        try await database.execute("CREATE TABLE t(x); INSERT INTO t VALUES ('still here')")
        await database.close()
        // A rekey that died before its rename leaves a partial copy beside the database.
        try Data(repeating: 0x33, count: 10_000).write(to: URL(fileURLWithPath: path + ".rekey"))
        let reopened = try EncryptedDatabase(path: path, configuration: try Fixture.configuration(kdfIterations: 1000, create: false))
        #expect(try await reopened.query("SELECT x FROM t", []).first?[0] == .text("still here"))
        #expect(FileManager.default.fileExists(atPath: path + ".rekey") == false)
    }

    @Test(.enabled(if: Peer.enabled, "needs apsw-sqlite3mc"))
    func sqlite3mcOpensARekeyedFile() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        let database = try EncryptedDatabase(path: path, configuration: try Fixture.configuration())
        try await Fixture.fillSample(database, messages: 300)
        try await database.rekey(to: .passphrase("rekeyed passphrase"))
        let ours = try await Fixture.digests(database)
        await database.close()
        let lines = try await Peer.run("sqlite3mc_read.py", [path], passphrase: "rekeyed passphrase")
        #expect(lines.first == "integrity\tok")
        #expect(Array(lines.dropFirst(2)) == ours)
    }
}
