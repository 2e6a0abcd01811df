import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("SQLiteDatabase: read-only opens, close, cancellation between statements", .timeLimit(.minutes(2)))
struct SQLiteDatabaseLifecycleTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory(prefix: "sql-lifecycle") }

    static let migrations: [SQLiteMigration] = ["CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER NOT NULL);"]

    func configuration(_ name: String, readOnly: Bool = false) -> SQLiteDatabase.Configuration {
        var configuration = SQLiteDatabase.Configuration(path: folder.path(name))
        configuration.migrations = Self.migrations
        configuration.readerCount = 2
        configuration.readOnly = readOnly
        return configuration
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test("Read-only: no connection can write, the file stays byte for byte, a write is a typed error")
    func readOnly() async throws {
        // A rollback-journal file: a writer connection would turn it into a WAL file on open.
        let path = folder.path("ro.sqlite")
        do {
            var options = SQLiteConnection.Configuration()
            options.writeAheadLog = false
            let setup = try SQLiteConnection(path: path, configuration: options)
            try setup.migrate(Self.migrations)
            try setup.run("INSERT INTO t(v) VALUES (41), (42)")
        }
        #expect(chmod(path, 0o444) == 0)
        let before = try bytes(path)
        let database = try await SQLiteDatabase.open(configuration("ro.sqlite", readOnly: true))
        #expect(try await database.read { try $0.queryFirst("SELECT sum(v) FROM t")?[0].integerValue } == 83)
        // Every connection the database holds is read-only (two readers, both busy at once).
        let inside = Latch(), release = Latch()
        let first = Task { try await database.read { connection in inside.open(); release.wait(); return connection.isReadOnly } }
        await inside.waitAsync()
        let second = try await database.read { $0.isReadOnly }
        release.open()
        #expect(try await first.value)
        #expect(second)
        await #expect(throws: SQLiteError.readOnly) { try await database.write { try $0.run("INSERT INTO t(v) VALUES (1)") } }
        // Even a write smuggled into a read is refused by SQLite itself.
        do {
            try await database.read { try $0.run("INSERT INTO t(v) VALUES (1)") }
            Issue.record("a read-only connection wrote")
        } catch let error as SQLiteError {
            #expect(error == .readOnly)
            #expect(!error.isTransient)
        }
        await database.close()
        #expect(try bytes(path) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: path + "-journal"))
    }

    @Test("Read-only refuses a file whose schema needs migrating, and a missing file")
    func readOnlyNeedsCurrentSchema() async throws {
        let path = folder.path("old.sqlite")
        do { _ = try SQLiteConnection(path: path).execute("CREATE TABLE other(x)") }
        var configuration = configuration("old.sqlite", readOnly: true)
        #expect(throws: SQLiteError.readOnly) { _ = try SQLiteDatabase(configuration: configuration) }
        configuration.storage = .file(path: folder.path("missing.sqlite"))
        #expect(throws: SQLiteError.open) { _ = try SQLiteDatabase(configuration: configuration) }
        #expect(!FileManager.default.fileExists(atPath: folder.path("missing.sqlite")))
    }

    @Test("After close the file can be deleted and reopened at once, and a call is a typed error")
    func closeReleasesTheFile() async throws {
        let path = folder.path("close.sqlite")
        let database = try await SQLiteDatabase.open(configuration("close.sqlite"))
        for value in 1...20 { try await database.write { try $0.run("INSERT INTO t(v) VALUES (?)", [value]) } }
        _ = try await database.read { try $0.queryFirst("SELECT count(*) FROM t") }
        await database.close()
        // Checkpointed and closed: the log is folded into the file and gone.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
        do {
            try await database.write { try $0.run("INSERT INTO t(v) VALUES (0)") }
            Issue.record("a write after close ran")
        } catch let error as SQLiteError {
            #expect(error == .closed)
            #expect(!error.isTransient)
        }
        await #expect(throws: SQLiteError.closed) { try await database.readStatements { _ in 1 } }
        await database.close()  // again: nothing left to do

        let reopened = try await SQLiteDatabase.open(configuration("close.sqlite"))
        #expect(try await reopened.read { try $0.queryFirst("SELECT count(*) FROM t")?[0].integerValue } == 20)
        await reopened.close()
        try FileManager.default.removeItem(atPath: path)
        let fresh = try await SQLiteDatabase.open(configuration("close.sqlite"))
        #expect(try await fresh.read { try $0.queryFirst("SELECT count(*) FROM t")?[0].integerValue } == 0)
        await fresh.close()
    }

    @Test("Two concurrent closes with a write in flight: both return only once the connections are closed, after the commit")
    func concurrentCloses() async throws {
        let path = folder.path("closing.sqlite")
        let database = try await SQLiteDatabase.open(configuration("closing.sqlite"))
        let inside = Latch(), release = Latch()
        let published = Shared(false)
        let write = Task {
            try await database.write({ connection in
                inside.open()
                release.wait()
                try connection.run("INSERT INTO t(v) VALUES (7)")
            }, committed: { _ in published.set(true) })
        }
        await inside.waitAsync()
        let started = Shared(0)
        let closes = (0..<2).map { _ in
            Task { () -> Bool in
                started.update { $0 += 1 }
                await database.close()
                // The last connection's close checkpoints the log and removes it: gone
                // means every connection is closed.
                return !FileManager.default.fileExists(atPath: path + "-wal")
            }
        }
        try await waitUntil("both closes are called") { started.value == 2 }
        release.open()
        try await write.value
        for close in closes { #expect(await close.value) }
        #expect(published.value)
        try FileManager.default.removeItem(atPath: path)
        let reopened = try await SQLiteDatabase.open(configuration("closing.sqlite"))
        #expect(try await reopened.read { try $0.queryFirst("SELECT count(*) FROM t")?[0].integerValue } == 0)
        await reopened.close()
    }

    @Test("A cancellation that lands between two statements stops the job's next statement")
    func cancellationBetweenStatements() async throws {
        let database = try await SQLiteDatabase.open(configuration("cancel.sqlite"))
        let betweenStatements = Latch(), cancelled = Latch()
        let finishedQuery = Shared(false)
        let job = Task {
            try await database.read { connection -> Int64? in
                _ = try connection.queryFirst("SELECT 1")
                // No statement runs now: sqlite3_interrupt alone would be forgotten.
                betweenStatements.open()
                cancelled.wait()
                // Long (tens of millions of rows) but finite: without the progress handler it
                // would return a count instead of stopping.
                let count = try connection.queryFirst(
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000) SELECT count(*) FROM c"
                )?[0].integerValue
                finishedQuery.set(true)
                return count
            }
        }
        await betweenStatements.waitAsync()
        job.cancel()
        cancelled.open()
        await #expect(throws: CancellationError.self) { _ = try await job.value }
        #expect(!finishedQuery.value)
        // The connection is clean and usable: no transaction left open, no interrupt pending.
        #expect(try await database.read { try $0.queryFirst("SELECT 7")?[0].integerValue } == 7)
        try await database.write { try $0.run("INSERT INTO t(v) VALUES (1)") }
        #expect(try await database.read { try $0.queryFirst("SELECT count(*) FROM t")?[0].integerValue } == 1)
        await database.close()
    }
}
