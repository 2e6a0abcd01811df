import CommunityMailSQL
import CommunityMailTestSupport
import EncryptedSQLite
import Foundation
import Testing

/// Wrong keys, plain files, flipped bytes and swapped pages give typed errors, never wrong data.
struct TamperTests {
    static let pageSize = 4096

    /// A closed database of a few dozen pages, no free pages.
    static func makeDatabase(in folder: TemporaryDirectory, writeAheadLog: Bool = false) async throws -> String {
        let path = folder.path("mailbox.db")
        let database = try EncryptedDatabase(
            path: path, configuration: try Fixture.configuration(writeAheadLog: writeAheadLog, kdfIterations: 1000))
        try await Fixture.fillSample(database, messages: 600)
        await database.close()
        return path
    }

    static func open(_ path: String, passphrase: String = Fixture.passphrase) throws -> EncryptedDatabase {
        try EncryptedDatabase(
            path: path, configuration: try Fixture.configuration(passphrase: passphrase, kdfIterations: 1000, create: false))
    }

    /// Reads every page of every table and index.
    static func readEverything(_ database: EncryptedDatabase) async throws(EncryptedSQLiteError) {
        _ = try await database.query("SELECT sum(length(data || x'')) FROM attachment", [])
        _ = try await database.query("SELECT count(*), sum(length(body || x'')) FROM message", [])
        _ = try await database.integrityCheck()
    }

    @Test func wrongPassphraseIsTheWrongKeyError() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder)
        #expect(throws: EncryptedSQLiteError.wrongKey) { try Self.open(path, passphrase: "not the passphrase") }
        var fewerIterations = try Fixture.configuration(kdfIterations: 999, create: false)
        fewerIterations.kdfIterations = 999
        #expect(throws: EncryptedSQLiteError.wrongKey) { try EncryptedDatabase(path: path, configuration: fewerIterations) }
        #expect(throws: EncryptedSQLiteError.wrongKey) {
            var raw = try Fixture.configuration(create: false)
            raw.key = try .raw([UInt8](repeating: 7, count: 32))
            return try EncryptedDatabase(path: path, configuration: raw)
        }
        let database = try Self.open(path)
        #expect(try await database.integrityCheck() == ["ok"])
    }

    @Test func plainSQLiteFileIsNotEncrypted() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("plain.db")
        var options = SQLiteConnection.Configuration()
        options.writeAheadLog = false
        let plain = try SQLiteConnection(path: path, configuration: options)
        try plain.execute("CREATE TABLE t(x); INSERT INTO t VALUES ('hello')")
        #expect(throws: EncryptedSQLiteError.notEncrypted) { try Self.open(path) }
        let junk = folder.path("junk.db")
        _ = FileManager.default.createFile(atPath: junk, contents: Data(repeating: 0x41, count: 8192))
        #expect(throws: EncryptedSQLiteError.notEncrypted) { try Self.open(junk) }
    }

    @Test func unsupportedOptionsAreRejected() throws {
        let folder = try TemporaryDirectory()
        for size in [256, 1000, 131_072] {
            #expect(throws: EncryptedSQLiteError.unsupportedOptions) {
                try EncryptedDatabase(path: folder.path("x.db"), configuration: try Fixture.configuration(pageSize: size))
            }
        }
        #expect(throws: EncryptedSQLiteError.unsupportedOptions) {
            try EncryptedDatabase(path: folder.path("x.db"), configuration: try Fixture.configuration(kdfIterations: 0))
        }
        #expect(throws: EncryptedSQLiteError.invalidKey) { try EncryptionKey.raw([1, 2, 3]) }
        #expect(throws: EncryptedSQLiteError.invalidKey) { try EncryptionKey.passphrase("") }
    }

    @Test(arguments: [2, 3, 7, 20, 40])
    func flippedByteNamesThePage(_ page: Int) async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.count >= page * Self.pageSize)
        // One byte in the data, nonce or tag area, chosen by the page number.
        let offsetInPage = [17, 2000, 4064, 4070, 4090][page % 5]
        bytes[(page - 1) * Self.pageSize + offsetInPage] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let database = try Self.open(path)
        await #expect {
            try await Self.readEverything(database)
        } throws: { error in
            (error as? EncryptedSQLiteError) == .tamperedPage && (error as? EncryptedSQLiteError)?.pageNumber == UInt32(page)
        }
    }

    @Test func flippedByteOnPageOneIsTheWrongKeyError() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[100] ^= 0x80
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: EncryptedSQLiteError.wrongKey) { try Self.open(path) }
    }

    @Test func swappedPagesAreDetected() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let (a, b) = (5, 9)
        let pageA = Array(bytes[((a - 1) * Self.pageSize)..<(a * Self.pageSize)])
        let pageB = Array(bytes[((b - 1) * Self.pageSize)..<(b * Self.pageSize)])
        bytes.replaceSubrange(((a - 1) * Self.pageSize)..<(a * Self.pageSize), with: pageB)
        bytes.replaceSubrange(((b - 1) * Self.pageSize)..<(b * Self.pageSize), with: pageA)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let database = try Self.open(path)
        await #expect {
            try await Self.readEverything(database)
        } throws: { error in
            let error = error as? EncryptedSQLiteError
            return error == .tamperedPage && (error?.pageNumber == UInt32(a) || error?.pageNumber == UInt32(b))
        }
    }

    @Test func errorsCarryNoSecrets() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder)
        do {
            _ = try Self.open(path, passphrase: "hunter2-secret")
            Issue.record("opened with the wrong passphrase")
        } catch let error as EncryptedSQLiteError {
            #expect(error == .wrongKey)
            #expect(!error.description.contains("hunter2"))
            #expect(!error.message.contains("hunter2"))
        }
        let key = try EncryptionKey.passphrase("hunter2-secret")
        #expect(!key.description.contains("hunter2"))
        #expect(!"\(try Fixture.configuration(passphrase: "hunter2-secret"))".contains("hunter2"))
    }
}

/// An encrypted connection keys exactly one file.
struct AttachTests {
    @Test func attachingAnotherDatabaseIsRefused() async throws {
        let folder = try TemporaryDirectory()
        let database = try EncryptedDatabase(path: folder.path("a.db"), configuration: try Fixture.configuration(kdfIterations: 1000))
        await #expect(throws: EncryptedSQLiteError.unsupportedOptions) {
            try await database.execute("ATTACH DATABASE '\(folder.path("b.db"))' AS other")
        }
        try await database.execute("CREATE TABLE t(x)")
        #expect(try await database.integrityCheck() == ["ok"])
    }
}
