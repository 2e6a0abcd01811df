import CommunityMailTestSupport
import EncryptedSQLite
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Hot rollback journals cross over too: a journal sqlite3mc left behind in a crash is
/// rolled back here, and one we left behind is rolled back by sqlite3mc.
@Suite(.enabled(if: Peer.enabled, "needs apsw-sqlite3mc (Scripts/install-test-deps)"))
struct JournalInteropTests {
    @Test func weRollBackSqlite3mcsHotJournal() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("theirs.db")
        _ = try await Peer.run("sqlite3mc_write.py", [path])
        let before = try await Peer.run("sqlite3mc_crash.py", [path])
        #expect(FileManager.default.fileExists(atPath: path + "-journal"), "the peer should leave a hot journal")
        let database = try EncryptedDatabase(path: path, configuration: try Fixture.configuration(writeAheadLog: false, create: false))
        #expect(try await database.integrityCheck() == ["ok"])
        #expect(try await Fixture.digests(database) == before)
    }

    @Test func sqlite3mcRollsBackOurHotJournal() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("ours.db")
        let before = try await Fixture.leaveHotJournal(at: path, messages: 3000, changes: [
            "UPDATE message SET subject = 'overwritten ' || id, body = randomblob(150)",
            "DELETE FROM attachment WHERE id % 2 = 0",
        ])
        let lines = try await Peer.run("sqlite3mc_read.py", [path])
        #expect(lines.first == "integrity\tok")
        #expect(Array(lines.dropFirst(2)) == before)
    }
}
