import CommunityMailMessage
import EncryptedMailbox
import Foundation
import Testing

/// The fake must be honest: the same random sequence of operations on the SQLite mailbox
/// and on the in-memory fake gives the same answers, errors included.
@Suite("SQLiteMailbox and InMemoryMailbox agree")
struct MailboxDifferentialTests {
    /// A seeded generator so a failure can be replayed.
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    /// What an operation answered, in a form both implementations can be compared on.
    /// UIDVALIDITY is left out: it comes from the clock.
    static func outcome(_ body: () async throws -> String) async -> String {
        do { return try await body() } catch let error as MailboxError { return "error \(error.message)" } catch { return "other \(error)" }
    }

    static func describe(_ folders: [FolderStatus]) -> String {
        folders.map { "\($0.name) \($0.specialUse?.rawValue ?? "-") \($0.isSubscribed) \($0.uidNext) \($0.messageCount) \($0.unseenCount) \($0.highestModSeq)" }
            .joined(separator: "; ")
    }

    /// COPYUID without the UIDVALIDITY, which comes from the clock.
    static func describe(_ copied: CopiedMessages) -> String { "\(copied.sourceUIDs) -> \(copied.destinationUIDs)" }

    static func describe(_ messages: [FetchedMessage]) -> String {
        messages.map { "\($0.uid) \($0.flags.rawValue) \($0.keywords) \($0.modSeq) \($0.size) \($0.envelope.subject) \($0.content?.count ?? -1)" }
            .joined(separator: "; ")
    }

    @Test("A random sequence of 400 operations gives the same answers on both", arguments: [UInt64(1), 2, 3])
    func sameAnswers(seed: UInt64) async throws {
        let quota = MailboxQuota(maxBytes: 60_000, maxMessages: 120, maxMessageBytes: 1_000)
        let sqlite = try MailboxFactory.sqlite(quota: quota)
        let fake = try MailboxFactory.fake(quota: quota)
        var random = Random(state: seed)
        let folderNames = ["INBOX", "Work", "Work/Old", "Trash", "Lists", "inbox/Sub"]
        let queries = ["header:from:alice", "-header:cc: OR is:draft", "header:subject:#3 OR -header:to:bob", "from:alice", "subject:7", "body:kernel", "is:seen", "-is:flagged larger:400", "keyword:k1 OR keyword:k2", "uid:3:*", "text:bob"]
        var log: [String] = []
        // Both report the same events too; subscribed before the first change.
        var listeners: [Task<[MailboxEvent], Never>] = []
        for under in [sqlite, fake] {
            let stream = await under.mailbox.events()
            listeners.append(Task {
                var seen: [MailboxEvent] = []
                for await event in stream { seen.append(event) }
                return seen
            })
        }
        for step in 0..<400 {
            let folder = folderNames[random.next(folderNames.count)]
            let other = folderNames[random.next(folderNames.count)]
            let uids = UIDSet([UInt32(random.next(12) + 1), UInt32(random.next(12) + 1), UInt32(random.next(30) + 1)])
            let choice = random.next(100)
            let flags = MessageFlags(rawValue: random.next(32))
            let keywords = [["k1"], ["k2"], [], ["k1", "K2"], ["bad word"]][random.next(5)]
            let subject = "step \(step) #\(random.next(10))"
            let body = ["kernel panic", "budget", "Bob says hi", String(repeating: "x", count: random.next(900))][random.next(4)]
            let from = ["Alice <alice@example.org>", "bob@example.net"][random.next(2)]
            let batchSize = random.next(4)
            var answers: [String] = []
            for under in [sqlite, fake] {
                let mailbox = under.mailbox
                answers.append(
                    await Self.outcome {
                        switch choice {
                        case 0..<5:
                            let batch = (0..<batchSize).map { index in
                                MessageToAppend(Samples.message(subject: "\(subject) \(index)", body: body), flags: flags, keywords: keywords, internalDate: Samples.date(step))
                            }
                            return "multiappend \(try await mailbox.append(contentsOf: batch, to: folder).map { "\($0.uid) \($0.modSeq)" })"
                        case 5..<35:
                            let result = try await mailbox.append(
                                Samples.message(subject: subject, from: from, body: body), to: folder, flags: flags, keywords: keywords,
                                internalDate: Samples.date(1_700_000_000 + step))
                            return "append \(result.uid) \(result.modSeq)"
                        case 35..<50:
                            let operation: FlagOperation = [.add(flags, keywords: keywords), .remove(flags, keywords: keywords), .replace(flags, keywords: keywords)][step % 3]
                            let result = try await mailbox.store(operation, on: uids, in: folder, unchangedSince: step % 5 == 0 ? UInt64(step) : nil)
                            return "store \(result)"
                        case 50..<58: return "copy \(Self.describe(try await mailbox.copy(uids, from: folder, to: other)))"
                        case 58..<64: return "move \(Self.describe(try await mailbox.move(uids, from: folder, to: other)))"
                        case 64..<70: return "expunge \(try await mailbox.expunge(folder, uids: step % 2 == 0 ? nil : uids))"
                        case 70..<74: return "create \(try await mailbox.createFolder(folder).name)"
                        case 74..<76:
                            try await mailbox.deleteFolder(folder)
                            return "deleted"
                        case 76..<78:
                            try await mailbox.renameFolder(folder, to: other)
                            return "renamed"
                        case 78..<84: return "search \(try await mailbox.search(try SearchQuery(parsing: queries[step % queries.count]), in: folder))"
                        case 84..<88: return "changes \(try await mailbox.changes(in: folder, since: UInt64(step)))"
                        case 88..<92: return "threads \(try await mailbox.threads(in: folder))"
                        case 92..<96: return "fetch \(Self.describe(try await mailbox.fetch(uids, in: folder, content: [.header, .text, .whole, .metadata][step % 4])))"
                        default: return "usage \(try await mailbox.usage()) folders \(Self.describe(try await mailbox.folders()))"
                        }
                    })
            }
            log.append(answers[0])
            #expect(answers[0] == answers[1], "step \(step) (seed \(seed)): SQLite said \(answers[0]); the fake said \(answers[1])")
            if answers[0] != answers[1] { break }
        }
        // The sequence did real work, errors and quota refusals included.
        #expect(log.contains { $0.hasPrefix("append") } && log.contains { $0.hasPrefix("move") } && log.contains { $0.hasPrefix("error") })
        #expect(Self.describe(try await sqlite.mailbox.folders()) == Self.describe(try await fake.mailbox.folders()))
        defer { listeners.forEach { $0.cancel() } }
        for folder in try await fake.mailbox.folders().map(\.name) {
            #expect(Self.describe(try await sqlite.mailbox.fetch(.all, in: folder, content: .whole))
                == Self.describe(try await fake.mailbox.fetch(.all, in: folder, content: .whole)))
        }
        await sqlite.mailbox.close()
        await fake.mailbox.close()
        let events = [await listeners[0].value, await listeners[1].value]
        #expect(events[0].count > 100)
        #expect(events[0] == events[1])
    }

    @Test("Damaged messages never fail an append and come back byte-exact", arguments: MailboxFactory.all)
    func damagedMessages(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        var generator = MailCorpus(seed: 99)
        var random = Random(state: 42)
        var stored: [[UInt8]] = []
        for index in 0..<150 {
            var bytes = generator.message(index).bytes
            switch index % 3 {
            case 0:
                for _ in 0..<20 { bytes[random.next(bytes.count)] = UInt8(random.next(256)) }
            case 1:
                bytes = Array(bytes.prefix(random.next(bytes.count)))
            default:
                let cut = random.next(bytes.count)
                bytes.insert(contentsOf: Array("\n--\n=?utf-8?B?\n\r\n: \u{0}".utf8), at: cut)
            }
            stored.append(bytes)
            try await mailbox.append(bytes, to: "INBOX")
        }
        let fetched = try await mailbox.fetch(.all, in: "INBOX", content: .whole)
        #expect(fetched.map(\.content) == stored.map { Optional($0) })
        _ = try await mailbox.search(try SearchQuery(parsing: "body:kernel OR subject:report OR has:attachment"), in: "INBOX")
        _ = try await mailbox.threads(in: "INBOX")
    }
}
