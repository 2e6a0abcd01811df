import CommunityMailTestSupport
import EncryptedSQLite
import Foundation
import Testing

/// A database the VFS creates is readable and writable by its owner only, and so are the
/// `-wal` and `-shm` files SQLite makes beside it (they take the database's mode); a file
/// that already exists keeps the mode its owner chose.
struct FileModeTests {
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? NSNumber).intValue & 0o777
    }

    @Test func newDatabaseAndItsWALFilesAreOwnerOnly() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        let database = try EncryptedDatabase(path: path, configuration: try Fixture.configuration(kdfIterations: 1000))
        try await database.execute("CREATE TABLE message(id INTEGER PRIMARY KEY, subject TEXT)")
        _ = try await database.run("INSERT INTO message(subject) VALUES (?)", [.text("hello")])
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(try Self.mode(file) == 0o600, "\(URL(fileURLWithPath: file).lastPathComponent)")
        }
        await database.close()
    }

    @Test func existingFileKeepsItsMode() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o640]))
        let database = try EncryptedDatabase(path: path, configuration: try Fixture.configuration(kdfIterations: 1000))
        try await database.execute("CREATE TABLE message(id INTEGER PRIMARY KEY)")
        #expect(try Self.mode(path) == 0o640)
        await database.close()
    }
}
