import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

@Suite("SQLiteDatabase: readers open when reads first overlap", .timeLimit(.minutes(2)))
struct SQLiteDatabaseReaderPoolTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory(prefix: "sql-readers") }

    func database(_ name: String, readers: Int, executor: BlockingExecutor) throws -> SQLiteDatabase {
        var configuration = SQLiteDatabase.Configuration(path: folder.path(name))
        configuration.readerCount = readers
        configuration.migrations = ["CREATE TABLE t(v INTEGER NOT NULL);", "INSERT INTO t VALUES (7);"]
        configuration.executor = executor
        return try SQLiteDatabase(configuration: configuration)
    }

    static func executor() -> BlockingExecutor {
        var configuration = BlockingExecutor.Configuration()
        configuration.threadCount = 6
        return BlockingExecutor(configuration: configuration)
    }

    /// The process's open descriptors on `path` itself (not its -wal or -shm files).
    func openDescriptors(on path: String) throws -> Int {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        return try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count { descriptor in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)")) == target
        }
    }

    /// Runs `count` reads that each wait, inside their job, until all are inside at once:
    /// they can only finish if `count` readers serve them side by side.
    func overlappingReads(_ count: Int, on db: SQLiteDatabase) async throws -> [Int64] {
        let inside = Shared(0), everyoneInside = Latch()
        return try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await db.read { connection in
                        if inside.update({ $0 += 1; return $0 }) == count { everyoneInside.open() }
                        everyoneInside.wait()
                        return try connection.queryFirst("SELECT v FROM t")?[0].integerValue ?? -1
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    // Counts the process's descriptors in /proc/self/fd.
    @Test("Opening makes the writer and one reader; more readers open only as reads overlap, up to readerCount",
          .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd")))
    func readersOpenOnDemand() async throws {
        let executor = Self.executor()
        defer { executor.shutdown() }
        let path = folder.path("lazy.sqlite")
        let db = try database("lazy.sqlite", readers: 4, executor: executor)
        #expect(try openDescriptors(on: path) == 2)
        // Reads one after another keep using the one reader.
        for _ in 0..<20 { #expect(try await db.read { try $0.queryFirst("SELECT v FROM t")?[0].integerValue } == 7) }
        #expect(try openDescriptors(on: path) == 2)
        #expect(try await overlappingReads(3, on: db) == [7, 7, 7])
        #expect(try openDescriptors(on: path) == 4)
        #expect(try await overlappingReads(4, on: db) == [7, 7, 7, 7])
        #expect(try openDescriptors(on: path) == 5)
        await db.close()
        #expect(try openDescriptors(on: path) == 0)
    }

    @Test("A reader opened after the file is gone fails with an SQLiteError and makes no empty file; the open ones go on")
    func lateReaderNeverCreatesTheFile() async throws {
        let executor = Self.executor()
        defer { executor.shutdown() }
        let path = folder.path("gone.sqlite")
        let db = try database("gone.sqlite", readers: 2, executor: executor)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let holding = Latch(), release = Latch()
        let first = Task {
            try await db.read { connection in
                holding.open()
                release.wait()
                return try connection.queryFirst("SELECT v FROM t")?[0].integerValue
            }
        }
        await holding.waitAsync()
        // The open reader is busy: this read needs the second, which cannot open.
        await #expect(throws: SQLiteError.self) { try await db.read { try $0.queryFirst("SELECT v FROM t")?[0].integerValue } }
        #expect(!FileManager.default.fileExists(atPath: path))
        release.open()
        #expect(try await first.value == 7)
        await db.close()
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
