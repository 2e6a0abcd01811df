import CommunityMailSQL
import CommunityMailTestSupport
import Foundation
import Testing

@Suite("SQLiteConnection lifetime")
struct SQLiteConnectionLifetimeTests {
    @Test("A connection with cached statements is released and closes its file")
    func releasedWithCachedStatements() throws {
        let folder = try TemporaryDirectory(prefix: "sql-lifetime")
        let path = folder.path("life.sqlite")
        weak var released: SQLiteConnection?
        do {
            let db = try SQLiteConnection(path: path)
            try db.execute("CREATE TABLE t(x)")
            try db.run("INSERT INTO t(x) VALUES (?)", [1])
            _ = try db.query("SELECT x FROM t")
            released = db
        }
        // Statements once held their connection strongly: the pair leaked and the file stayed open.
        #expect(released == nil)
        // The last connection to close checkpoints and removes the write-ahead log.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }
}
