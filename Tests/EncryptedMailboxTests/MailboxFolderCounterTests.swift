import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
@testable import EncryptedMailbox
import Foundation
import Testing

/// A folder's message and unseen counts live in its row, kept by triggers (migration 5), so
/// STATUS and LIST read them instead of counting the folder. They must always equal what a
/// count of the folder's rows gives, whatever changed the rows, and what the in-memory fake
/// (which counts its arrays) reports; a file from before the migration gets them counted.
@Suite("SQLiteMailbox folder counters")
struct MailboxFolderCounterTests {
    /// A seeded generator so a failure can be replayed.
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    /// One folder as its row keeps it and as a count of its messages finds it.
    struct Counted: Equatable, CustomStringConvertible {
        var name: String
        var kept: (messages: Int, unseen: Int)
        var counted: (messages: Int, unseen: Int)
        var agree: Bool { kept == counted }
        var description: String { "\(name): kept \(kept), counted \(counted)" }
        static func == (lhs: Self, rhs: Self) -> Bool { lhs.name == rhs.name && lhs.kept == rhs.kept && lhs.counted == rhs.counted }
    }

    /// Every folder's kept counters beside a real `count(*)` over `messages`, in one read.
    static func counted(_ mailbox: SQLiteMailbox) async throws -> [Counted] {
        try await mailbox.database(writing: false) { database in
            try database.query(
                """
                SELECT f.name, f.message_count, f.unseen_count,
                    (SELECT count(*) FROM messages m WHERE m.folder_id = f.id),
                    (SELECT count(*) FROM messages m WHERE m.folder_id = f.id AND m.flags & 1 = 0)
                FROM folders f ORDER BY f.name
                """
            ).map { row in
                Counted(
                    name: row[0].textValue ?? "", kept: (Int(row[1].integerValue ?? -1), Int(row[2].integerValue ?? -1)),
                    counted: (Int(row[3].integerValue ?? -1), Int(row[4].integerValue ?? -1)))
            }
        }
    }

    /// What a folder's status says, but UIDVALIDITY (from the clock) and the MODSEQ.
    static func describe(_ status: FolderStatus) -> String {
        "\(status.name) next \(status.uidNext) messages \(status.messageCount) unseen \(status.unseenCount) recent \(status.recentCount) from \(status.firstRecentUID)"
    }

    /// What an operation answered, comparable across implementations.
    static func outcome(_ body: () async throws -> String) async -> String {
        do { return try await body() } catch let error as MailboxError { return "error \(error.message)" } catch { return "other \(error)" }
    }

    @Test("Random appends, flag changes, moves, copies, expunges, renames and folder deletes: counters equal count(*) and the fake's status after every step",
          arguments: [UInt64(11), 12])
    func randomOperations(seed: UInt64) async throws {
        let plain = try MailboxFactory.sqlite()
        let encrypted = try MailboxFactory.encrypted()
        let fake = try MailboxFactory.fake()
        let all = [plain, encrypted, fake]
        let sqlite = try [plain, encrypted].map { under in try #require(under.mailbox as? SQLiteMailbox) }
        var random = Random(state: seed)
        let folderNames = ["INBOX", "Work", "Work/Old", "Lists", "Trash", "Spare", "Spare/Sub"]
        for name in ["Work", "Work/Old", "Lists"] {
            for under in all { _ = try await under.mailbox.createFolder(name) }
        }
        let flagChoices: [MessageFlags] = [[], .seen, [.seen, .flagged], .deleted, [.seen, .deleted], .flagged, .answered]
        for step in 0..<300 {
            let folder = folderNames[random.next(folderNames.count)]
            let other = folderNames[random.next(folderNames.count)]
            let uids = UIDSet([UInt32(random.next(14) + 1), UInt32(random.next(14) + 1)])
            let wide: UIDSet = random.next(4) == 0 ? .all : uids
            let flags = flagChoices[random.next(flagChoices.count)]
            let choice = random.next(100)
            let batch = 1 + random.next(3)
            let expungeAll = random.next(2) == 0
            var answers: [String] = []
            for under in all {
                let mailbox = under.mailbox
                answers.append(
                    await Self.outcome {
                        switch choice {
                        case 0..<30:
                            let messages = (0..<batch).map { index in
                                MessageToAppend(
                                    Samples.message(subject: "step \(step) \(index)"), flags: flags, keywords: [],
                                    internalDate: Samples.date(step))
                            }
                            return "append \(try await mailbox.append(contentsOf: messages, to: folder).map(\.uid))"
                        case 30..<42:
                            return "add \(try await mailbox.store(.add(flags), on: wide, in: folder).changed.map(\.uid))"
                        case 42..<52:
                            return "remove \(try await mailbox.store(.remove(flags), on: wide, in: folder).changed.map(\.uid))"
                        case 52..<58:
                            return "replace \(try await mailbox.store(.replace(flags), on: wide, in: folder).changed.map(\.uid))"
                        case 58..<68:
                            let copied = try await mailbox.move(wide, from: folder, to: other)
                            return "move \(copied.sourceUIDs) -> \(copied.destinationUIDs)"
                        case 68..<76:
                            let copied = try await mailbox.copy(wide, from: folder, to: other)
                            return "copy \(copied.sourceUIDs) -> \(copied.destinationUIDs)"
                        case 76..<84:
                            return "expunge \(try await mailbox.expunge(folder, uids: expungeAll ? nil : uids))"
                        case 84..<88:
                            // Renaming INBOX moves its messages into the new folder.
                            try await mailbox.renameFolder(folder, to: other)
                            return "renamed"
                        case 88..<92:
                            try await mailbox.deleteFolder(folder)
                            return "deleted"
                        case 92..<96:
                            return "created \(Self.describe(try await mailbox.createFolder(other)))"
                        default:
                            return "claimed \(try await mailbox.claimAllRecent(in: folder).uids)"
                        }
                    })
            }
            #expect(answers.allSatisfy { $0 == answers[2] }, "step \(step): \(answers)")
            for mailbox in sqlite {
                let counted = try await Self.counted(mailbox)
                #expect(counted.allSatisfy { $0.agree }, "step \(step): \(counted)")
            }
            let expected = try await fake.mailbox.folders().map(Self.describe)
            for under in [plain, encrypted] {
                let listed = try await under.mailbox.folders()
                #expect(listed.map(Self.describe) == expected, "step \(step)")
                for folder in listed {
                    #expect(Self.describe(try await under.mailbox.status(of: folder.name)) == Self.describe(folder), "step \(step)")
                }
            }
        }
        // The run went through every kind of change with messages to count.
        let totals = try await Self.counted(sqlite[0])
        #expect(totals.contains { $0.kept.messages > 0 && $0.kept.unseen < $0.kept.messages })
        for under in all { await under.mailbox.close() }
    }

    @Test("A message row moved to another folder by an UPDATE (not the code's insert and delete) is counted in its new folder")
    func updateOfFolderIDMovesTheCount() async throws {
        let under = try MailboxFactory.sqlite()
        let mailbox = try #require(under.mailbox as? SQLiteMailbox)
        _ = try await mailbox.createFolder("Work")
        try await mailbox.append(Samples.message(subject: "unseen"), to: "INBOX", flags: [], keywords: [], internalDate: Samples.date(1))
        try await mailbox.append(Samples.message(subject: "seen"), to: "INBOX", flags: .seen, keywords: [], internalDate: Samples.date(2))
        try await mailbox.database(writing: true) { database in
            try database.run(
                """
                UPDATE messages SET folder_id = (SELECT id FROM folders WHERE name = 'Work'), uid = 1
                WHERE uid = 1 AND folder_id = (SELECT id FROM folders WHERE name = 'INBOX')
                """)
            // A flag change that leaves \Seen as it was changes no count.
            try database.run("UPDATE messages SET flags = flags | 4")
        }
        let counted = try await Self.counted(mailbox)
        #expect(counted.allSatisfy { $0.agree }, "\(counted)")
        let inbox = try await mailbox.status(of: "INBOX")
        let work = try await mailbox.status(of: "Work")
        #expect((inbox.messageCount, inbox.unseenCount) == (1, 0))
        #expect((work.messageCount, work.unseenCount) == (1, 1))
        await mailbox.close()
    }

    @Test("A file at the schema before the counters (version 4) opens with every folder's counts taken once, and keeps them after")
    func oldFileGetsItsCounts() async throws {
        let directory = try TemporaryDirectory(prefix: "mailbox-counters-old")
        let path = directory.path("old.mailbox")
        var configuration = SQLiteMailbox.Configuration()
        configuration.opener = .plain
        configuration.synchronous = .normal
        let mailbox = try SQLiteMailbox(path: path, create: true, configuration: configuration)
        _ = try await mailbox.createFolder("Work")
        _ = try await mailbox.createFolder("Empty")
        for number in 1...7 {
            let flags: MessageFlags = number % 3 == 0 ? [.seen] : number % 3 == 1 ? [.flagged] : [.seen, .deleted]
            try await mailbox.append(Samples.message(subject: "m\(number)"), to: "INBOX", flags: flags, keywords: [], internalDate: Samples.date(number))
        }
        _ = try await mailbox.copy(.all, from: "INBOX", to: "Work")
        _ = try await mailbox.expunge("Work", uids: nil)
        await mailbox.close()
        // Back to version 4: no counter columns, no triggers; then rows changed as the
        // earlier code changed them (nothing kept count).
        let connection = try SQLiteConnection(path: path)
        #expect(try connection.userVersion == MailboxSchema.migrations.count)
        try connection.execute(MailboxSchemaRollback.folderCounters)
        try connection.execute(
            """
            UPDATE messages SET flags = flags | 1 WHERE uid = 1 AND folder_id = (SELECT id FROM folders WHERE name = 'INBOX');
            DELETE FROM messages WHERE uid = 4 AND folder_id = (SELECT id FROM folders WHERE name = 'INBOX');
            """)
        try connection.setUserVersion(4)
        #expect(try connection.queryFirst("SELECT count(*) FROM pragma_table_info('folders') WHERE name LIKE '%_count'")?[0].integerValue == 0)
        connection.close()

        let reopened = try SQLiteMailbox(path: path, create: false, configuration: configuration)
        let counted = try await Self.counted(reopened)
        #expect(counted.allSatisfy { $0.agree }, "\(counted)")
        // INBOX: 7 appended, 1 deleted by hand; unseen were 1, 4, 7, of which 1 is now seen and 4 gone.
        let inbox = try await reopened.status(of: "INBOX")
        #expect((inbox.messageCount, inbox.unseenCount) == (6, 1))
        // Work: the copies of the 7 less the expunged \Deleted ones (2, 5), unseen 1, 4, 7.
        let work = try await reopened.status(of: "Work")
        #expect((work.messageCount, work.unseenCount) == (5, 3))
        let empty = try await reopened.status(of: "Empty")
        #expect((empty.messageCount, empty.unseenCount) == (0, 0))
        #expect(try await reopened.folders().map { "\($0.name) \($0.messageCount) \($0.unseenCount)" }.contains("Work 5 3"))
        // The triggers run from now on.
        try await reopened.append(Samples.message(subject: "new"), to: "Work")
        _ = try await reopened.store(.add(.seen), on: .all, in: "Work")
        let after = try await reopened.status(of: "Work")
        #expect((after.messageCount, after.unseenCount) == (6, 0))
        #expect(try await Self.counted(reopened).allSatisfy { $0.agree })
        await reopened.close()
    }
}
