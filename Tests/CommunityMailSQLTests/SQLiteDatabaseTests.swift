import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Synchronization
import Testing

@Suite("SQLiteDatabase: one writer, a pool of readers, on the executor", .timeLimit(.minutes(2)))
struct SQLiteDatabaseTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory(prefix: "sql-database") }

    func database(_ name: String, readers: Int = 4, migrations: [String] = ["CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER NOT NULL UNIQUE);"],
                  busyTimeout: Duration = .seconds(5), executor: BlockingExecutor = .shared) throws -> SQLiteDatabase {
        var configuration = SQLiteDatabase.Configuration(path: folder.path(name))
        configuration.readerCount = readers
        configuration.migrations = migrations.map(SQLiteMigration.init(sql:))
        configuration.synchronous = .normal
        configuration.busyTimeout = busyTimeout
        configuration.executor = executor
        return try SQLiteDatabase(configuration: configuration)
    }

    @Test("A reader sees committed state only, never a write in progress")
    func readersSeeCommittedState() async throws {
        let db = try database("committed.sqlite")
        try await db.write { try $0.run("INSERT INTO t(v) VALUES (1)") }
        let inside = Latch(), release = Latch()
        let writing = Task {
            try await db.write { connection in
                try connection.run("UPDATE t SET v = 2")
                inside.open()
                release.wait()
            }
        }
        await inside.waitAsync()
        // The write holds its transaction: readers still see 1, in one state per read.
        let seen = try await db.read { connection in
            (try connection.queryFirst("SELECT v FROM t")?[0].integerValue, try connection.queryFirst("SELECT count(*) FROM t")?[0].integerValue)
        }
        #expect(seen.0 == 1 && seen.1 == 1)
        release.open()
        try await writing.value
        #expect(try await db.read { try $0.queryFirst("SELECT v FROM t")?[0].integerValue } == 2)
        // A connection outside the database sees the same committed file.
        #expect(try SQLiteConnection(path: folder.path("committed.sqlite")).queryFirst("SELECT v FROM t")?[0].integerValue == 2)
        await db.close()
    }

    @Test("Writes run one at a time and none is lost")
    func writesSerialize() async throws {
        let db = try database("serial.sqlite")
        try await db.write { try $0.run("INSERT INTO t(id, v) VALUES (1, 0)") }
        let active = Shared(0), overlapped = Shared(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try await db.write { connection in
                        let inside = active.update { $0 += 1; return $0 }
                        if inside > 1 { overlapped.set(true) }
                        defer { active.update { $0 -= 1 } }
                        // Read-modify-write: a lost update would show in the final count.
                        let value = try connection.queryFirst("SELECT v FROM t WHERE id = 1")?[0].integerValue ?? -1
                        try connection.run("UPDATE t SET v = ? WHERE id = 1", [value + 1])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(!overlapped.value)
        #expect(try await db.read { try $0.queryFirst("SELECT v FROM t WHERE id = 1")?[0].integerValue } == 40)
    }

    @Test("A write that throws is rolled back; the writer stays usable")
    func thrownWriteRollsBack() async throws {
        struct Refused: Error {}
        let db = try database("rollback.sqlite")
        await #expect(throws: Refused.self) {
            try await db.write { connection in
                try connection.run("INSERT INTO t(v) VALUES (1)")
                throw Refused()
            }
        }
        // A failing statement rolls the whole transaction back, not just itself.
        await #expect(throws: SQLiteError.constraint) {
            try await db.write { connection in
                try connection.run("INSERT INTO t(v) VALUES (2)")
                try connection.run("INSERT INTO t(v) VALUES (2)")
            }
        }
        #expect(try await db.read { try $0.queryFirst("SELECT count(*) FROM t")?[0].integerValue } == 0)
        try await db.write { try $0.run("INSERT INTO t(v) VALUES (3)") }
        #expect(try await db.read { try $0.query("SELECT v FROM t").map { $0[0] } } == [.integer(3)])
    }

    @Test("Busy is SQLITE_BUSY and transient; a constraint is not transient")
    func errorClassification() async throws {
        let db = try database("busy.sqlite", busyTimeout: .milliseconds(50))
        // Another process's connection (here: one outside the database) holds the write lock.
        let other = try SQLiteConnection(path: folder.path("busy.sqlite"))
        try other.execute("BEGIN IMMEDIATE")
        do {
            try await db.write { try $0.run("INSERT INTO t(v) VALUES (1)") }
            Issue.record("the write did not wait for the lock")
        } catch let error as SQLiteError {
            #expect(error == .busy)
            #expect(error.primaryResultCode == 5)  // SQLITE_BUSY
            #expect(error.isTransient && (error as any Error).isTransientFailure)
        }
        try other.execute("COMMIT")
        try await db.write { try $0.run("INSERT INTO t(v) VALUES (1)") }
        do {
            try await db.write { try $0.run("INSERT INTO t(v) VALUES (1)") }
            Issue.record("the duplicate was stored")
        } catch let error as SQLiteError {
            #expect(error == .constraint)
            #expect(error.primaryResultCode == 19)  // SQLITE_CONSTRAINT
            #expect(error.resultCode == 2067)  // SQLITE_CONSTRAINT_UNIQUE, the extended code
            #expect(!error.isTransient)
        }
        #expect(!SQLiteError.corrupt.isTransient && SQLiteError.ioFailure.isTransient)
    }

    @Test("Migrations: a fresh file runs every step, an older one only the missing steps")
    func migrations() async throws {
        let steps = [
            "CREATE TABLE a(id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO a(name) VALUES ('first');",
            "ALTER TABLE a ADD COLUMN note TEXT; UPDATE a SET note = 'added';",
            "CREATE TABLE b(x);",
        ]
        do {
            let fresh = try database("fresh.sqlite", migrations: steps)
            #expect(try await fresh.read { try $0.userVersion } == 3)
            await fresh.close()
        }
        do {
            let old = try database("stepwise.sqlite", migrations: Array(steps.prefix(1)))
            #expect(try await old.read { try $0.userVersion } == 1)
            try await old.write { try $0.run("INSERT INTO a(name) VALUES ('second')") }
            await old.close()
        }
        let upgraded = try database("stepwise.sqlite", migrations: steps)
        let rows = try await upgraded.read { connection in
            (try connection.userVersion, try connection.query("SELECT name, note FROM a ORDER BY id").map { [$0[0], $0[1]] })
        }
        // Step 1 ran once (one 'first'), step 2 saw the row written at version 1.
        #expect(rows.0 == 3)
        #expect(rows.1 == [[.text("first"), .text("added")], [.text("second"), .text("added")]])
        await upgraded.close()
    }

    @Test("A file newer than the code is refused; a failing step is rolled back")
    func migrationRefusals() async throws {
        let steps = ["CREATE TABLE a(x);", "CREATE TABLE b(x);"]
        try await database("newer.sqlite", migrations: steps).close()
        #expect(throws: SQLiteError.newerSchema) { _ = try database("newer.sqlite", migrations: Array(steps.prefix(1))) }
        #expect(throws: SQLiteError.migration) { _ = try database("broken.sqlite", migrations: ["CREATE TABLE ok(x); CREATE TABLE broken(;"]) }
        let raw = try SQLiteConnection(path: folder.path("broken.sqlite"))
        #expect(try raw.userVersion == 0)
        #expect(try raw.query("SELECT name FROM sqlite_schema WHERE name = 'ok'").isEmpty)
    }

    @Test("Cancelling a task interrupts its running query and skips its queued work")
    func cancellation() async throws {
        let db = try database("cancel.sqlite", readers: 1)
        let started = Shared(false)
        let endless = Task {
            try await db.read { connection in
                started.set(true)
                // Never ends on its own: only sqlite3_interrupt stops it.
                return try connection.queryFirst(
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")
            }
        }
        while !started.value { try await Task.sleep(for: .milliseconds(5)) }
        endless.cancel()
        await #expect(throws: CancellationError.self) { _ = try await endless.value }

        // Queued work: the only reader is busy, so the second read waits; cancelled, it never runs.
        let holding = Latch(), release = Latch()
        let holder = Task { try await db.read { _ in holding.open(); release.wait() } }
        await holding.waitAsync()
        let ran = Shared(false)
        let queued = Task { try await db.read { _ in ran.set(true) } }
        queued.cancel()
        await #expect(throws: CancellationError.self) { try await queued.value }
        release.open()
        try await holder.value
        #expect(!ran.value)
        // The reader was left clean: no open transaction, no pending interrupt.
        #expect(try await db.read { try $0.queryFirst("SELECT 7")?[0].integerValue } == 7)
    }

    @Test("More concurrent reads than cores, while a write holds its transaction, leave the cooperative pool free")
    func readsDoNotBlockThePool() async throws {
        let executor = BlockingExecutor(configuration: { var c = BlockingExecutor.Configuration(); c.threadCount = 8; return c }())
        defer { executor.shutdown() }
        let db = try database("pool.sqlite", readers: 2, executor: executor)
        try await db.write { try $0.run("INSERT INTO t(id, v) VALUES (1, 1)") }
        let writeInside = Latch(), writeRelease = Latch()
        let writing = Task {
            try await db.write { connection in
                try connection.run("UPDATE t SET v = 2 WHERE id = 1")
                writeInside.open()
                writeRelease.wait()
            }
        }
        await writeInside.waitAsync()

        let readCount = 4 * ProcessInfo.processInfo.activeProcessorCount + 8
        let reading = Shared(0), mostAtOnce = Shared(0)
        let readRelease = Latch()
        let reads = Task {
            try await withThrowingTaskGroup(of: Int64?.self) { group in
                for _ in 0..<readCount {
                    group.addTask {
                        try await db.read { connection in
                            let now = reading.update { $0 += 1; return $0 }
                            mostAtOnce.update { $0 = max($0, now) }
                            defer { reading.update { $0 -= 1 } }
                            let value = try connection.queryFirst("SELECT v FROM t WHERE id = 1")?[0].integerValue
                            readRelease.wait()
                            return value
                        }
                    }
                }
                var values: [Int64?] = []
                for try await value in group { values.append(value) }
                return values
            }
        }
        while reading.value < 2 { try await Task.sleep(for: .milliseconds(5)) }
        // Two reads hold the two readers, the rest wait for one, the write holds the writer:
        // if any of that held a cooperative thread, these tasks (more than there are cores)
        // could not all run to completion now.
        let probes = await withTaskGroup(of: Int.self) { group in
            for probe in 0..<(2 * ProcessInfo.processInfo.activeProcessorCount + 2) {
                group.addTask {
                    await Task.yield()
                    return probe
                }
            }
            return await group.reduce(0) { $0 + $1 }
        }
        #expect(probes > 0)
        #expect(reading.value == 2)
        readRelease.open()
        let values = try await reads.value
        #expect(values.count == readCount)
        #expect(values.allSatisfy { $0 == 1 })  // never the uncommitted 2
        #expect(mostAtOnce.value == 2)
        writeRelease.open()
        try await writing.value
        #expect(try await db.read { try $0.queryFirst("SELECT v FROM t WHERE id = 1")?[0].integerValue } == 2)
        await db.close()
    }

    @Test("In memory: readers share the writer's database and see its commits")
    func inMemory() async throws {
        var configuration = SQLiteDatabase.Configuration(storage: .inMemory)
        configuration.migrations = ["CREATE TABLE t(v);"]
        let first = try SQLiteDatabase(configuration: configuration)
        let second = try await SQLiteDatabase.open(configuration)
        try await first.write { try $0.run("INSERT INTO t VALUES (1)") }
        #expect(try await first.read { try $0.queryFirst("SELECT count(*) FROM t")?[0].integerValue } == 1)
        #expect(try await second.read { try $0.queryFirst("SELECT count(*) FROM t")?[0].integerValue } == 0)
        await #expect(throws: SQLiteError.self) { try await first.write { try $0.run("INSERT INTO missing VALUES (1)") } }
    }

    @Test("close waits for running work, then refuses new work")
    func close() async throws {
        let db = try database("close.sqlite")
        let inside = Latch(), release = Latch()
        let running = Task { try await db.write { connection in inside.open(); release.wait(); try connection.run("INSERT INTO t(v) VALUES (9)") } }
        await inside.waitAsync()
        let closed = Shared(false)
        let closing = Task {
            await db.close()
            closed.set(true)
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(!closed.value)
        release.open()
        try await running.value
        await closing.value
        await #expect(throws: SQLiteError.closed) { try await db.read { _ in 1 } }
        // The running write committed, and the file was closed cleanly (log checkpointed away).
        #expect(try SQLiteConnection(path: folder.path("close.sqlite")).queryFirst("SELECT v FROM t")?[0].integerValue == 9)
    }
}

/// A gate one side opens and the other waits for: blocking on an executor thread (inside a
/// job), or suspended on the cooperative pool.
final class Latch: Sendable {
    private let condition = NSCondition()
    private let isOpen = Mutex(false)

    func open() {
        condition.lock()
        isOpen.withLock { $0 = true }
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks the thread (only ever an executor thread) until opened, or a minute passes so
    /// that a broken test fails instead of hanging.
    func wait() {
        let deadline = Date().addingTimeInterval(60)
        condition.lock()
        while !isOpen.withLock({ $0 }), condition.wait(until: deadline) {}
        condition.unlock()
    }

    /// Suspends until opened.
    func waitAsync() async {
        while !isOpen.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
    }
}

/// A value several threads read and change under a lock.
final class Shared<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    var value: Value { storage.withLock { $0 } }
    func set(_ value: Value) { storage.withLock { $0 = value } }
    @discardableResult
    func update<Result: Sendable>(_ body: @Sendable (inout Value) -> Result) -> Result { storage.withLock { body(&$0) } }
}
