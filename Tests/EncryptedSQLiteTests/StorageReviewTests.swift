import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Synchronization
import Testing

@testable import EncryptedSQLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tampered pages are permanent failures; read-only opens write nothing; the checkpoint
/// handoff belongs to one thread; one database's jobs hold at most one executor thread.
@Suite("EncryptedSQLite: tamper classification, read-only, checkpoint handoff, executor fairness")
struct StorageReviewTests {
    static let pageSize = 4096

    static func flipByte(onPage page: Int, of path: String) throws {
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[(page - 1) * pageSize + 2000] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test("A tampered page is a tampered-page error that is not transient, on both database paths")
    func tamperedPageIsPermanent() async throws {
        let folder = try TemporaryDirectory()
        let path = try await TamperTests.makeDatabase(in: folder)
        // Page 2 is the first table's root (account): every read of it meets the flipped byte.
        try Self.flipByte(onPage: 2, of: path)

        let database = try TamperTests.open(path)
        do {
            _ = try await database.query("SELECT count(*), sum(length(name)) FROM account")
            Issue.record("a tampered page was read")
        } catch {
            #expect(error == .tamperedPage)
            #expect(error.pageNumber == 2)
            #expect(!error.isTransient)
            #expect(!(error as any Error).isTransientFailure)
        }
        await database.close()

        // The path the mailbox takes: a SQLiteDatabase through the encrypting VFS. The VFS
        // answers SQLITE_IOERR_DATA, which must be corruption, never a retryable I/O failure.
        let opened = try EncryptedDatabase.openStorage(
            path: path, configuration: try Fixture.configuration(kdfIterations: 1000, create: false))
        var configuration = SQLiteDatabase.Configuration(path: path)
        configuration.vfsName = opened.storage.vfsName
        configuration.readerCount = 1
        let sqlite = try SQLiteDatabase(configuration: configuration)
        opened.connection.close()
        do {
            _ = try await sqlite.read { try $0.queryFirst("SELECT count(*), sum(length(name)) FROM account") }
            Issue.record("a tampered page was read")
        } catch let error as SQLiteError {
            #expect(error == .corrupt)
            #expect(error.resultCode == SQLiteResultCode.ioErrorData)
            #expect(!error.isTransient)
            #expect(opened.storage.mapped(error) == .tamperedPage)
            #expect(!opened.storage.mapped(error).isTransient)
        }
        await sqlite.close()
        opened.storage.release()
    }

    @Test("Read-only: reads work, the file and its folder are left exactly as they were, a write is a typed error",
          arguments: [false, true])
    func readOnlyWritesNothing(writeAheadLog: Bool) async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        do {
            let database = try EncryptedDatabase(
                path: path, configuration: try Fixture.configuration(writeAheadLog: writeAheadLog, kdfIterations: 1000))
            try await Fixture.fillSample(database, messages: 200)
            await database.close()
        }
        // A leftover of an interrupted rekey: a writable open removes it, a read-only one must not.
        _ = FileManager.default.createFile(atPath: path + ".rekey", contents: Data([1, 2, 3]))
        #expect(chmod(path, 0o444) == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let listing = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()

        // Asks for the other journal mode: a writable open would switch the file to it.
        var configuration = try Fixture.configuration(writeAheadLog: !writeAheadLog, kdfIterations: 1000, create: false)
        configuration.readOnly = true
        let database = try EncryptedDatabase(path: path, configuration: configuration)
        #expect(try await database.query("SELECT count(*) FROM message")[0][0] == .integer(200))
        await #expect(throws: EncryptedSQLiteError.readOnly) { try await database.run("DELETE FROM message") }
        await #expect(throws: EncryptedSQLiteError.readOnly) {
            try await database.transaction { try $0.run("INSERT INTO account(name) VALUES ('x')") }
        }
        await #expect(throws: EncryptedSQLiteError.readOnly) { try await database.rekey(to: try .passphrase("another")) }
        #expect(try await database.query("SELECT count(*) FROM message")[0][0] == .integer(200))
        await database.close()

        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let after = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
        #expect(after.filter { !$0.hasSuffix("-shm") && !$0.hasSuffix("-wal") } == listing)
        var missing = configuration
        missing.create = true
        #expect(throws: EncryptedSQLiteError.self) { try EncryptedDatabase(path: folder.path("absent.db"), configuration: missing) }
        #expect(!FileManager.default.fileExists(atPath: folder.path("absent.db")))
    }

    @Test("Another connection's lock or unlock cannot close a checkpoint's bracket on the copying thread")
    func checkpointBracketBelongsToItsThread() async throws {
        let handoff = CheckpointHandoff()
        let single = { (name: String) -> BlockingExecutor in
            var configuration = BlockingExecutor.Configuration()
            configuration.threadCount = 1
            configuration.threadName = name
            return BlockingExecutor(configuration: configuration)
        }
        let checkpointing = single("ckpt"), other = single("reader")
        defer {
            checkpointing.shutdown()
            other.shutdown()
        }
        let salt = [UInt8](repeating: 9, count: 16)
        let page = [UInt8](repeating: 0xA5, count: Self.pageSize)
        let offered = await checkpointing.run { () -> Bool in
            handoff.checkpointStarted(salt: salt)
            guard handoff.isCopyingFrames(salt: salt) else { return false }
            page.withUnsafeBytes { handoff.offer(pageNumber: 7, page: $0) }
            return true
        }
        #expect(offered)
        // A reader connection through the same VFS locks and unlocks on its own thread.
        let seenElsewhere = await other.run { () -> Bool in
            let copying = handoff.isCopyingFrames(salt: salt)
            handoff.checkpointFinished()
            page.withUnsafeBytes { handoff.offer(pageNumber: 8, page: $0) }
            return copying
        }
        #expect(!seenElsewhere)
        // The checkpoint's write of the offered frame still stores it as it is (before the
        // fix the bracket was gone, and the ciphertext would have been encrypted again).
        let write = await checkpointing.run { page.withUnsafeBytes { handoff.take(pageNumber: 7, page: $0) } }
        #expect(write == .copiedFrame)
        #expect(handoff.pagesHandedOver == 1)
        // The copying thread itself closes it.
        let afterDone = await checkpointing.run { () -> CheckpointHandoff.Write in
            handoff.checkpointFinished()
            return page.withUnsafeBytes { handoff.take(pageNumber: 7, page: $0) }
        }
        #expect(afterDone == .notOffered)
    }

    @Test("Fifty concurrent calls on one database hold one executor thread: an unrelated job is not starved")
    func concurrentCallsDoNotParkThreads() async throws {
        var executorConfiguration = BlockingExecutor.Configuration()
        executorConfiguration.threadCount = 2
        let executor = BlockingExecutor(configuration: executorConfiguration)
        defer { executor.shutdown() }
        let folder = try TemporaryDirectory()
        var configuration = try Fixture.configuration(kdfIterations: 1000)
        configuration.executor = executor
        let database = try EncryptedDatabase(path: folder.path("busy.db"), configuration: configuration)
        let completed = CompletionCounter()
        let calls = 50
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<calls {
                group.addTask {
                    // Some tens of milliseconds of SQLite work each.
                    _ = try await database.query(
                        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT sum(x) FROM c")
                    completed.increment()
                }
            }
            try await waitUntil("the database's calls have begun") { completed.value >= 1 }
            // Before: every call sat in the executor's queue (parked on the database's lock once
            // it had a thread), so this job waited behind nearly all of them.
            let completedWhenUnrelatedRan = await executor.run { completed.value }
            #expect(completedWhenUnrelatedRan < calls / 2)
            try await group.waitForAll()
        }
        #expect(completed.value == calls)
        // The database's jobs ran on the executor its configuration named, not elsewhere
        // (without this, the test would pass with `Configuration.executor` ignored).
        #expect(try await database.transaction { _ in executor.isCurrentThread })
        await database.close()
    }
}

/// A count that tasks and executor jobs share.
final class CompletionCounter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func increment() { count.add(1, ordering: .relaxed) }
}
