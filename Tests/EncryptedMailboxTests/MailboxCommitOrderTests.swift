@testable import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Synchronization
import Testing

@testable import EncryptedMailbox

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The change stream (what IMAP IDLE reports) carries changes in commit order, a read-only
/// mailbox opens no connection that can write, and many concurrent calls do not take over
/// the executor.
@Suite("Mailbox: change order, read-only opens, executor use", .timeLimit(.minutes(3)))
struct MailboxCommitOrderTests {
    static let passphrase = "correct horse battery staple"

    static func configuration(readOnly: Bool = false) -> SQLiteMailbox.Configuration {
        var configuration = SQLiteMailbox.Configuration()
        configuration.opener = .encrypted(kdfIterations: 1000)
        configuration.synchronous = .normal
        configuration.readOnly = readOnly
        return configuration
    }

    @Test("Observers see concurrent appends and flag changes in MODSEQ and UID order")
    func eventsArriveInCommitOrder() async throws {
        let directory = try TemporaryDirectory(prefix: "mailbox-order")
        let mailbox = try SQLiteMailbox(
            path: directory.path("user.sqlite"), create: true, passphrase: Self.passphrase, configuration: Self.configuration())
        let existing = 40
        var modSeqOfUID: [UInt32: UInt64] = [:]
        for index in 0..<existing {
            let appended = try await mailbox.append(Samples.message(subject: "Existing \(index)"), to: "INBOX")
            modSeqOfUID[appended.uid] = appended.modSeq
        }
        let events = mailbox.events()
        let appends = 80
        let stores = existing
        let collector = Task { () -> [MailboxEvent] in
            var seen: [MailboxEvent] = []
            for await event in events {
                seen.append(event)
                if seen.count == appends + stores { break }
            }
            return seen
        }
        let appendedNow = try await withThrowingTaskGroup(of: AppendedMessage?.self) { group in
            for index in 0..<(appends + stores) {
                group.addTask {
                    if index % 3 == 0, index / 3 < stores {
                        _ = try await mailbox.store(.add([.flagged], keywords: []), on: UIDSet([UInt32(index / 3 + 1)]), in: "INBOX")
                        return nil
                    }
                    return try await mailbox.append(Samples.message(subject: "Concurrent \(index)"), to: "INBOX")
                }
            }
            var appended: [AppendedMessage] = []
            for try await result in group { if let result { appended.append(result) } }
            return appended
        }
        #expect(appendedNow.count == appends)
        for message in appendedNow { modSeqOfUID[message.uid] = message.modSeq }
        let seen = await collector.value

        var modSeqs: [UInt64] = []
        var addedUIDs: [UInt32] = []
        for event in seen {
            switch event {
            case .messagesAdded(_, let uids):
                addedUIDs += uids
                modSeqs += uids.compactMap { modSeqOfUID[$0] }
            case .flagsChanged(_, let changes):
                modSeqs += changes.map(\.modSeq)
            default:
                Issue.record("unexpected event \(event)")
            }
        }
        #expect(addedUIDs == addedUIDs.sorted())
        #expect(Set(addedUIDs).count == addedUIDs.count)
        #expect(modSeqs == modSeqs.sorted())
        #expect(Set(modSeqs).count == modSeqs.count)
        await mailbox.close()
    }

    @Test("A read-only mailbox reads, refuses writes with a typed error, and leaves its file as it was")
    func readOnlyMailboxOpensNoWriter() async throws {
        let directory = try TemporaryDirectory(prefix: "mailbox-readonly")
        let path = directory.path("user.sqlite")
        do {
            let mailbox = try SQLiteMailbox(path: path, create: true, passphrase: Self.passphrase, configuration: Self.configuration())
            for index in 0..<3 { try await mailbox.append(Samples.message(subject: "Kept \(index)"), to: "INBOX") }
            await mailbox.close()
        }
        #expect(chmod(path, 0o444) == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let mailbox = try SQLiteMailbox(
            path: path, create: false, passphrase: Self.passphrase, configuration: Self.configuration(readOnly: true))
        #expect(try await mailbox.status(of: "INBOX").messageCount == 3)
        // Every connection the mailbox holds was opened read-only (not merely query_only).
        let database = try #require(await mailbox.sqlite)
        #expect(try await database.read { $0.isReadOnly })
        await #expect(throws: SQLiteError.readOnly) { try await database.write { _ in } }
        await #expect(throws: MailboxError.readOnly) { try await mailbox.append(Samples.message(), to: "INBOX") }
        await #expect(throws: MailboxError.readOnly) { try await mailbox.createFolder("New", specialUse: nil) }
        await mailbox.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("Two concurrent closes with a write in flight: its event is delivered, and both return once the file is closed")
    func concurrentClosesWaitForTheWrite() async throws {
        let directory = try TemporaryDirectory(prefix: "mailbox-close")
        let path = directory.path("user.sqlite")
        let mailbox = try SQLiteMailbox(path: path, create: true, passphrase: Self.passphrase, configuration: Self.configuration())
        let events = mailbox.events()
        let collector = Task { () -> [MailboxEvent] in
            var seen: [MailboxEvent] = []
            for await event in events { seen.append(event) }  // ends when the mailbox finishes its streams
            return seen
        }
        let gate = WriteGate()
        let write = Task {
            try await mailbox.change(events: { _ in [.folderCreated("Probe")] }) { connection in
                gate.enter()
                _ = try SQLiteMailbox.insertFolder(connection, name: "Probe", specialUse: nil, subscribed: false)
            }
        }
        try await waitUntil("the write is running") { gate.entered }
        let started = Completions()
        let closes = (0..<2).map { _ in
            Task { () -> Bool in
                started.add()
                await mailbox.close()
                // The last connection's close removes the log: gone means all are closed.
                return !FileManager.default.fileExists(atPath: path + "-wal")
            }
        }
        try await waitUntil("both closes are called") { started.count == 2 }
        gate.open()
        try await write.value
        for close in closes { #expect(await close.value) }
        #expect(await collector.value.contains(.folderCreated("Probe")))
        let reopened = try SQLiteMailbox(path: path, create: false, passphrase: Self.passphrase, configuration: Self.configuration())
        #expect(try await reopened.folders().contains { $0.name == "Probe" })
        await reopened.close()
    }

    @Test("readOnly is transient when its SQLite cause is: a read-only open waiting for a writer to set up the log")
    func readOnlyTransientByCause() {
        for (result, transient) in [
            (SQLiteResultCode.readOnlyCannotInitialize, true), (SQLiteResultCode.readOnlyRecovery, true),
            (Int32(8), false), (Int32(8 | (6 << 8)), false),  // SQLITE_READONLY, SQLITE_READONLY_DIRECTORY
        ] {
            let mapped = SQLiteMailbox.mapped(SQLiteError.from(result: result, handle: nil, operation: "read"))
            #expect(mapped == .readOnly, "\(result)")
            #expect(mapped.isTransient == transient, "\(result)")
            #expect((mapped as any Error).isTransientFailure == transient, "\(result)")
        }
        #expect(!MailboxError.readOnly.isTransient)
    }

    @Test("Fifty concurrent mailbox calls on a two-thread executor leave room for an unrelated job")
    func concurrentCallsLeaveTheExecutorFree() async throws {
        var executorConfiguration = BlockingExecutor.Configuration()
        executorConfiguration.threadCount = 2
        let executor = BlockingExecutor(configuration: executorConfiguration)
        defer { executor.shutdown() }
        let directory = try TemporaryDirectory(prefix: "mailbox-executor")
        var configuration = Self.configuration()
        configuration.executor = executor
        let mailbox = try SQLiteMailbox(
            path: directory.path("user.sqlite"), create: true, passphrase: Self.passphrase, configuration: configuration)
        let body = String(repeating: "a line of text that the search has to read through\n", count: 400)
        for index in 0..<30 { try await mailbox.append(Samples.message(subject: "Kept \(index)", body: body), to: "INBOX") }
        let completed = Completions()
        let calls = 50
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<calls {
                group.addTask {
                    if index % 5 == 0 {
                        try await mailbox.append(Samples.message(subject: "New \(index)", body: body), to: "INBOX")
                    } else {
                        _ = try await mailbox.search(.text("zircon"), in: "INBOX")
                    }
                    completed.add()
                }
            }
            try await waitUntil("the mailbox calls have begun") { completed.count >= 1 }
            // The mailbox's jobs wait for a connection before they reach the executor, so at
            // most the writer's and the readers' jobs are ahead of this one.
            let completedWhenUnrelatedRan = await executor.run { completed.count }
            #expect(completedWhenUnrelatedRan < calls / 2)
            try await group.waitForAll()
        }
        #expect(completed.count == calls)
        #expect(try await mailbox.status(of: "INBOX").messageCount == 30 + calls / 5)
        // Reads and writes ran on the configured executor (without this, the test would pass
        // with `Configuration.executor` ignored).
        #expect(try await mailbox.database(writing: false) { _ in executor.isCurrentThread })
        #expect(try await mailbox.database(writing: true) { _ in executor.isCurrentThread })
        await mailbox.close()
    }
}

/// A count that tasks and executor jobs share.
final class Completions: Sendable {
    private let value = Atomic<Int>(0)
    var count: Int { value.load(ordering: .relaxed) }
    func add() { value.add(1, ordering: .relaxed) }
}

/// Holds a write job on its executor thread until the test opens it.
final class WriteGate: Sendable {
    private let condition = NSCondition()
    private let state = Mutex((entered: false, open: false))

    var entered: Bool { state.withLock { $0.entered } }

    /// Marks the job as running, then blocks its thread until ``open()`` (or a minute, so a
    /// broken test fails instead of hanging).
    func enter() {
        state.withLock { $0.entered = true }
        let deadline = Date().addingTimeInterval(60)
        condition.lock()
        while !state.withLock({ $0.open }), condition.wait(until: deadline) {}
        condition.unlock()
    }

    func open() {
        condition.lock()
        state.withLock { $0.open = true }
        condition.broadcast()
        condition.unlock()
    }
}
