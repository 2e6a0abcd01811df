import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import Synchronization
import Testing

/// The mailbox's SQLite work runs on the blocking executor: reads go to the database's
/// readers while a change waits for (or holds) the writer, and neither holds a thread of
/// Swift's cooperative pool.
@Suite("Mailbox concurrency")
struct MailboxConcurrencyTests {
    @Test("Many concurrent reads finish while an append waits for the write lock, and the cooperative pool stays free")
    func readsDuringAPendingAppend() async throws {
        let directory = try TemporaryDirectory(prefix: "mailbox-concurrency")
        let path = directory.path("user.sqlite")
        var configuration = SQLiteMailbox.Configuration()
        configuration.opener = .plain
        configuration.synchronous = .normal
        // The append below must outwait every read, however slow a loaded machine makes them.
        configuration.busyTimeout = .seconds(3600)
        let mailbox = try SQLiteMailbox(path: path, create: true, configuration: configuration)
        for index in 0..<20 {
            try await mailbox.append(Samples.message(subject: "Existing \(index)"), to: "INBOX")
        }

        // Another connection (as another process would) holds the write lock, so the append
        // below stays pending, waiting in SQLite's busy handler, until it lets go.
        let holder = try await BlockingWork.run { () throws -> HeldConnection in
            let connection = try SQLiteConnection(path: path)
            try connection.execute("BEGIN IMMEDIATE")
            return HeldConnection(connection)
        }
        let appended = Mutex(false)
        let batch = (0..<60).map { index in
            MessageToAppend(
                Samples.message(subject: "Batch \(index)", body: String(repeating: "line of text\n", count: 800)),
                flags: [], keywords: [], internalDate: Date(timeIntervalSince1970: 1_790_000_000))
        }
        let appending = Task {
            let result = try await mailbox.append(contentsOf: batch, to: "INBOX")
            appended.withLock { $0 = true }
            return result.count
        }

        let readCount = 4 * ProcessInfo.processInfo.activeProcessorCount + 8
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<readCount {
                group.addTask {
                    switch index % 4 {
                    case 0: return try await mailbox.status(of: "INBOX").messageCount
                    case 1: return try await mailbox.fetch(.all, in: "INBOX", content: .whole).count
                    case 2: return try await mailbox.search(.all, in: "INBOX").count
                    default: return try await mailbox.folders().first { $0.name == "INBOX" }?.messageCount ?? -1
                    }
                }
            }
            // Plain tasks, more than there are cores: they finish only if no cooperative
            // thread is held by the pending append or the reads.
            let probes = await withTaskGroup(of: Int.self) { probes in
                for probe in 0..<(2 * ProcessInfo.processInfo.activeProcessorCount + 2) {
                    probes.addTask {
                        await Task.yield()
                        return probe
                    }
                }
                return await probes.reduce(0, +)
            }
            #expect(probes > 0)
            var counts: [Int] = []
            for try await count in group { counts.append(count) }
            return counts
        }
        // Every read finished while the append could not commit, and saw the state before it.
        #expect(!appended.withLock { $0 })
        #expect(counts.count == readCount)
        #expect(counts.allSatisfy { $0 == 20 })

        try await BlockingWork.run { try holder.connection.execute("COMMIT") }
        #expect(try await appending.value == batch.count)
        #expect(try await mailbox.status(of: "INBOX").messageCount == 20 + batch.count)
        await mailbox.close()
        try await BlockingWork.run { holder.connection.close() }
    }
}

/// A connection the test drives from the blocking executor, one call at a time.
private final class HeldConnection: @unchecked Sendable {
    let connection: SQLiteConnection
    init(_ connection: SQLiteConnection) { self.connection = connection }
}
