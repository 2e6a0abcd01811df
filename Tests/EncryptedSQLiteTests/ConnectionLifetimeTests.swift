import CommunityMailSQL
import CommunityMailTestSupport
import Foundation
import Testing

@testable import EncryptedSQLite

/// A bare connection (as the mailbox model uses) keeps its VFS instance alive by itself.
struct ConnectionLifetimeTests {
    @Test(arguments: [true, false])
    func bareConnectionOutlivesItsOpener(writeAheadLog: Bool) throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        let configuration = try Fixture.configuration(writeAheadLog: writeAheadLog, kdfIterations: 1000)
        do {
            let connection = try EncryptedDatabase.openConnection(path: path, configuration: configuration)
            try connection.execute("CREATE TABLE t(x TEXT)")
            // New journal or WAL files open through the (unregistered) VFS while the connection lives.
            for round in 0..<5 {
                try connection.transaction {
                    for id in 0..<100 { try connection.run("INSERT INTO t VALUES (?)", ["\(Fixture.marker) \(round) \(id)"]) }
                }
                try connection.run("UPDATE t SET x = x || '!' WHERE rowid % 7 = ?", [round])
            }
            #expect(try connection.integrityCheck() == ["ok"])
        }
        #expect(Fixture.filesWithMarker(in: folder.url).isEmpty)
        let reopened = try EncryptedDatabase.openConnection(path: path, configuration: configuration)
        #expect(try reopened.queryFirst("SELECT count(*) FROM t")?[0] == .integer(500))
    }
}
