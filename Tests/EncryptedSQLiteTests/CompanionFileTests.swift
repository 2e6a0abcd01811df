import CommunityMailTestSupport
import EncryptedSQLite
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `-journal`, `-wal` or `-shm` beside the database that this user cannot trust (a link,
/// someone else's file, a file others may write, a second name of another file) is refused
/// with `.untrustedFile` before SQLite writes to it or obeys it.
struct CompanionFileTests {
    enum Shape: String, CaseIterable, Sendable {
        case symbolicLink, otherOwner, groupWritable, hardLink
    }

    /// Puts `shape` at `path`; returns the file whose contents must not change.
    static func plant(_ shape: Shape, at path: String, in folder: TemporaryDirectory) throws -> String {
        let victim = folder.path("precious-\(shape.rawValue)")
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        switch shape {
        case .symbolicLink:
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)
        case .hardLink:
            try FileManager.default.linkItem(atPath: victim, toPath: path)
        case .otherOwner:
            #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]))
            #expect(chown(path, 65534, 65534) == 0)
            return path
        case .groupWritable:
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            #expect(chmod(path, 0o666) == 0)
            return path
        }
        return victim
    }

    static func contents(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test(.enabled(if: geteuid() == 0, "chown needs root"), arguments: Shape.allCases, [false, true])
    func untrustedCompanionIsRefused(shape: Shape, writeAheadLog: Bool) async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        let database = try EncryptedDatabase(
            path: path, configuration: try Fixture.configuration(writeAheadLog: writeAheadLog, kdfIterations: 1000))
        try await database.execute("CREATE TABLE t(x TEXT)")
        await database.close()
        for suffix in writeAheadLog ? ["-wal", "-shm"] : ["-journal"] {
            try? FileManager.default.removeItem(atPath: path + "-wal")
            try? FileManager.default.removeItem(atPath: path + "-shm")
            let watched = try Self.plant(shape, at: path + suffix, in: folder)
            let before = try Self.contents(watched)
            await #expect(throws: EncryptedSQLiteError.untrustedFile, "\(suffix)") {
                let reopened = try EncryptedDatabase(
                    path: path, configuration: try Fixture.configuration(writeAheadLog: writeAheadLog, kdfIterations: 1000, create: false))
                do { try await reopened.run("INSERT INTO t VALUES ('written')") } catch {
                    await reopened.close()
                    throw error
                }
                await reopened.close()
            }
            #expect(try Self.contents(watched) == before, "nothing may be written through \(suffix)")
            try FileManager.default.removeItem(atPath: path + suffix)
        }
    }
}
