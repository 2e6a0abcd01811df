import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// Several sessions on one mailbox (the heart of issue #17): changes made by one session or
/// by the forwarder reach the others as untagged EXISTS, EXPUNGE/VANISHED and FETCH FLAGS,
/// only where RFC 9051 section 7.5.1 (RFC 3501 section 7.4.1) allows them; sequence numbers
/// never shift in the middle of a FETCH, STORE or SEARCH. On the fake and the encrypted file.
@Suite("IMAP session: several sessions on one mailbox", .timeLimit(.minutes(2)))
struct IMAPSessionConcurrencyTests {
    static func mailbox(_ kind: IMAPSessionMailboxKind, count: Int) async throws -> IMAPSessionMailbox {
        let fixture = try kind.make()
        for number in 1...count { try await fixture.mailbox.append(IMAPSessionMessages.message(number), to: "INBOX") }
        // Seen by an earlier session: not \Recent (IMAPSessionRecentTests covers \Recent).
        _ = try await fixture.mailbox.claimAllRecent(in: "INBOX")
        return fixture
    }

    @Test("APPEND in one session wakes the other's IDLE wait: EXISTS from writePendingUpdates", arguments: IMAPSessionMailboxKind.allCases)
    func appendReachesIdle(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 3)
        let idler = IMAPSessionDriver(fixture.mailbox)
        let writer = IMAPSessionDriver(fixture.mailbox)
        _ = try await idler.run("a SELECT INBOX")
        #expect(try await idler.pendingUpdates() == [])
        let waiting = Task { await idler.session.waitForUpdates() }
        _ = try await writer.append(IMAPSessionMessages.message(4))
        await waiting.value
        #expect(try await idler.pendingUpdates() == ["* 4 EXISTS", "* 1 RECENT"])
        #expect(try await idler.pendingUpdates() == [])
        // A message the forwarder delivers straight into the mailbox wakes it the same way.
        let again = Task { await idler.session.waitForUpdates() }
        try await fixture.mailbox.append(IMAPSessionMessages.message(5), to: "INBOX")
        await again.value
        #expect(try await idler.pendingUpdates() == ["* 5 EXISTS", "* 2 RECENT"])
        #expect(try await idler.run("b FETCH 5 UID") == ["* 5 FETCH (UID 5)", "b OK FETCH completed"])
    }

    @Test("waitForUpdates returns when its task is cancelled; at once when updates wait")
    func waitIsCancellable() async throws {
        let mailbox = InMemoryMailbox()
        let client = IMAPSessionDriver(mailbox)
        _ = try await client.run("a SELECT INBOX")
        let waiting = Task { await client.session.waitForUpdates() }
        waiting.cancel()
        await waiting.value
        try await mailbox.append(IMAPSessionMessages.message(1), to: "INBOX")
        await client.session.waitForUpdates()
        await client.session.waitForUpdates()
        #expect(try await client.pendingUpdates() == ["* 1 EXISTS", "* 1 RECENT"])
    }

    @Test("EXPUNGE elsewhere: not during FETCH, STORE or SEARCH (the gone message is left out, OK [EXPUNGEISSUED]); at NOOP", arguments: IMAPSessionMailboxKind.allCases)
    func expungeWaitsForAllowedCommand(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 4)
        let reader = IMAPSessionDriver(fixture.mailbox)
        let other = IMAPSessionDriver(fixture.mailbox)
        _ = try await other.run("b SELECT INBOX")
        _ = try await other.run("c STORE 2 +FLAGS.SILENT (\\Deleted)")
        // The reader selects after the flag change, so the one update it waits for is the removal.
        _ = try await reader.run("a SELECT INBOX")
        #expect(try await other.run("d EXPUNGE") == ["* 2 EXPUNGE", "d OK EXPUNGE completed"])
        await reader.session.waitForUpdates()
        // Message 2 is gone but the reader was not told: numbers 3 and 4 still mean UIDs 3 and 4.
        #expect(try await reader.run("e FETCH 1:4 (UID)") == [
            "* 1 FETCH (UID 1)", "* 3 FETCH (UID 3)", "* 4 FETCH (UID 4)", "e OK [EXPUNGEISSUED] Some messages were expunged",
        ])
        #expect(try await reader.run("f SEARCH ALL") == ["* SEARCH 1 3 4", "f OK SEARCH completed"])
        #expect(try await reader.run("g STORE 4 +FLAGS (\\Flagged)") == ["* 4 FETCH (FLAGS (\\Flagged))", "g OK STORE completed"])
        #expect(try await reader.run("h NOOP") == ["* 2 EXPUNGE", "h OK NOOP completed"])
        #expect(try await reader.run("i FETCH 3 (UID FLAGS)") == ["* 3 FETCH (UID 4 FLAGS (\\Flagged))", "i OK FETCH completed"])
    }

    @Test("UID commands may report the expunge; under QRESYNC it is VANISHED", arguments: IMAPSessionMailboxKind.allCases)
    func uidCommandReportsExpunge(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 3)
        let reader = IMAPSessionDriver(fixture.mailbox)
        let resyncer = IMAPSessionDriver(fixture.mailbox)
        _ = try await fixture.mailbox.store(.add([.deleted]), on: UIDSet([1, 3]), in: "INBOX")
        _ = try await reader.run("a SELECT INBOX")
        _ = try await resyncer.run("q ENABLE QRESYNC")
        _ = try await resyncer.run("b SELECT INBOX")
        _ = try await fixture.mailbox.expunge("INBOX")
        await reader.session.waitForUpdates()
        await resyncer.session.waitForUpdates()
        // A UID command reports pending removals before it runs, so its numbers are current.
        #expect(try await reader.run("c UID FETCH 1:* (FLAGS)") == ["* 1 EXPUNGE", "* 2 EXPUNGE", "* 1 FETCH (FLAGS () UID 2)", "c OK FETCH completed"])
        #expect(try await resyncer.run("d UID SEARCH ALL") == ["* VANISHED 1,3", "* SEARCH 2", "d OK SEARCH completed"])
    }

    @Test("Flag changes elsewhere: FETCH FLAGS at the next command, MODSEQ under CONDSTORE, UID under QRESYNC; own changes never twice", arguments: IMAPSessionMailboxKind.allCases)
    func flagChanges(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 3)
        let plain = IMAPSessionDriver(fixture.mailbox)
        let condStore = IMAPSessionDriver(fixture.mailbox)
        let changer = IMAPSessionDriver(fixture.mailbox)
        _ = try await plain.run("a SELECT INBOX")
        _ = try await condStore.run("q ENABLE QRESYNC")
        _ = try await condStore.run("b SELECT INBOX")
        _ = try await changer.run("c SELECT INBOX")
        #expect(try await changer.run("d STORE 1 +FLAGS (\\Flagged)") == ["* 1 FETCH (FLAGS (\\Flagged))", "d OK STORE completed"])
        await plain.session.waitForUpdates()
        await condStore.session.waitForUpdates()
        let modSeq = try #require(try await fixture.mailbox.changes(in: "INBOX", since: 0).changed.first?.modSeq)
        #expect(try await plain.run("e NOOP") == ["* 1 FETCH (FLAGS (\\Flagged))", "e OK NOOP completed"])
        #expect(try await condStore.pendingUpdates() == ["* 1 FETCH (UID 1 FLAGS (\\Flagged) MODSEQ (\(modSeq)))"])
        // The changer's own STORE comes back through the hub; once a later change has
        // arrived after it, nothing but that later change is reported.
        let waiting = Task { await changer.session.waitForUpdates() }
        try await fixture.mailbox.append(IMAPSessionMessages.message(4), to: "INBOX")
        await waiting.value
        #expect(try await changer.run("f NOOP") == ["* 4 EXISTS", "* 1 RECENT", "f OK NOOP completed"])
    }

    @Test("Removals, additions and flag changes together: whatever the updates' timing, the client's view ends equal to the mailbox", arguments: IMAPSessionMailboxKind.allCases)
    func combinedUpdates(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 5)
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("a SELECT INBOX")
        _ = try await fixture.mailbox.store(.add([.deleted]), on: UIDSet([2]), in: "INBOX")
        _ = try await fixture.mailbox.expunge("INBOX")
        _ = try await fixture.mailbox.store(.add([.seen]), on: UIDSet([4]), in: "INBOX")
        try await fixture.mailbox.append(IMAPSessionMessages.message(6), to: "INBOX")
        let seventh = try await fixture.mailbox.append(IMAPSessionMessages.message(7), to: "INBOX", flags: [.deleted], keywords: [], internalDate: Date())
        #expect(try await fixture.mailbox.expunge("INBOX") == [seventh.uid])
        // The last change: once it is reported, every earlier one has been.
        _ = try await fixture.mailbox.store(.add([.answered]), on: UIDSet([1]), in: "INBOX")
        var updates: [String] = []
        while !updates.contains("* 1 FETCH (FLAGS (\\Answered))") {
            await client.session.waitForUpdates()
            updates += try await client.pendingUpdates()
        }
        #expect(updates.contains("* 2 EXPUNGE"))
        // Numbers follow what the client was told: replaying the updates on its view of
        // UIDs 1...5 gives the mailbox's current list.
        var view: [UInt32] = [1, 2, 3, 4, 5]
        var nextUID: UInt32 = 6
        for line in updates {
            let words = line.split(separator: " ")
            if words.count == 3, words[2] == "EXPUNGE", let number = Int(words[1]) { view.remove(at: number - 1) }
            if words.count == 3, words[2] == "EXISTS", let count = Int(words[1]) {
                while view.count < count {
                    view.append(nextUID)
                    nextUID += 1
                }
            }
        }
        let current = try await fixture.mailbox.changes(in: "INBOX", since: 0).changed
        #expect(view == current.map(\.uid))
        // Message 6 arrived while the folder was selected here: this session claimed it (\Recent).
        let expected = current.enumerated().map { item in
            let names = item.element.flags.imapNames + (item.element.uid > 5 ? ["\\Recent"] : [])
            return "* \(item.offset + 1) FETCH (UID \(item.element.uid) FLAGS (\(names.joined(separator: " "))))"
        }
        #expect(try await client.run("b FETCH 1:* (UID FLAGS)") == expected + ["b OK FETCH completed"])
    }

    @Test("Messages delivered while SELECT reads the folder are never lost: the view always ends equal to the mailbox", arguments: IMAPSessionMailboxKind.allCases)
    func deliveriesDuringSelect(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 1)
        let mailbox = fixture.mailbox
        let client = IMAPSessionDriver(mailbox)
        for round in 1...15 {
            async let delivered: Void = {
                for number in 0..<3 { try await mailbox.append(IMAPSessionMessages.message(round * 10 + number), to: "INBOX") }
            }()
            _ = try await client.run("s\(round) SELECT INBOX")
            try await delivered
            // A last change after both: once it is reported, every delivery has been.
            let flagged = round % 2 == 1
            _ = try await mailbox.store(flagged ? .add([.flagged]) : .remove([.flagged]), on: UIDSet([1]), in: "INBOX")
            let sentinel = "* 1 FETCH (FLAGS (\(flagged ? "\\Flagged" : "")))"
            var updates: [String] = []
            while !updates.contains(sentinel) {
                await client.session.waitForUpdates()
                updates += try await client.pendingUpdates()
            }
            let uids = try await mailbox.changes(in: "INBOX", since: 0).changed.map(\.uid)
            let expected = uids.enumerated().map { "* \($0.offset + 1) FETCH (UID \($0.element))" }
            #expect(try await client.run("f\(round) FETCH 1:* (UID)") == expected + ["f\(round) OK FETCH completed"])
        }
    }

    @Test("Changes through another Mailbox on the same file (another process: no events) reach the session at NOOP and while it waits")
    func changesFromAnotherProcess() async throws {
        let directory = try TemporaryDirectory(prefix: "imap-session-two")
        var configuration = SQLiteMailbox.Configuration()
        configuration.opener = .encrypted(kdfIterations: 1000)
        configuration.synchronous = .normal
        let path = directory.path("member.sqlite")
        let served = try SQLiteMailbox(path: path, create: true, passphrase: IMAPSessionMailboxKind.passphrase, configuration: configuration)
        let elsewhere = try SQLiteMailbox(path: path, create: false, passphrase: IMAPSessionMailboxKind.passphrase, configuration: configuration)
        for number in 1...3 { try await served.append(IMAPSessionMessages.message(number), to: "INBOX") }
        _ = try await served.claimAllRecent(in: "INBOX")
        var sessionConfiguration = IMAPSession.Configuration()
        sessionConfiguration.pollInterval = .milliseconds(20)
        let client = IMAPSessionDriver(served, configuration: sessionConfiguration)
        _ = try await client.run("q ENABLE CONDSTORE")
        _ = try await client.run("a SELECT INBOX")
        try await elsewhere.append(IMAPSessionMessages.message(4), to: "INBOX")
        let flagged = try await elsewhere.store(.add([.flagged]), on: UIDSet([2]), in: "INBOX").changed
        _ = try await elsewhere.store(.add([.deleted]), on: UIDSet([3]), in: "INBOX")
        _ = try await elsewhere.expunge("INBOX")
        #expect(try await client.run("b NOOP") == [
            "* 3 EXPUNGE", "* 3 EXISTS", "* 1 RECENT", "* 2 FETCH (FLAGS (\\Flagged) MODSEQ (\(flagged.first?.modSeq ?? 0)))", "b OK NOOP completed",
        ])
        #expect(try await client.run("c NOOP") == ["c OK NOOP completed"])
        // An IDLE wait notices the other process's delivery by the poll.
        try await elsewhere.append(IMAPSessionMessages.message(5), to: "INBOX")
        await client.session.waitForUpdates()
        #expect(try await client.pendingUpdates() == ["* 4 EXISTS", "* 2 RECENT"])
        #expect(try await client.run("d NOOP") == ["d OK NOOP completed"])
        await client.session.close()
        await elsewhere.close()
        await served.close()
    }

    @Test("The selected folder deleted or renamed elsewhere", arguments: IMAPSessionMailboxKind.allCases)
    func folderDeletedOrRenamed(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try kind.make()
        try await fixture.mailbox.createFolder("Work")
        try await fixture.mailbox.createFolder("Old")
        for number in 1...2 { try await fixture.mailbox.append(IMAPSessionMessages.message(number), to: "Work") }
        try await fixture.mailbox.append(IMAPSessionMessages.message(3), to: "Old")
        for folder in ["Work", "Old"] { _ = try await fixture.mailbox.claimAllRecent(in: folder) }
        let client = IMAPSessionDriver(fixture.mailbox)
        let other = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("a SELECT Work")
        #expect(try await other.run("b RENAME Work Play") == ["b OK RENAME completed"])
        try await fixture.mailbox.append(IMAPSessionMessages.message(4), to: "Play")
        await client.session.waitForUpdates()
        #expect(try await client.run("c FETCH 3 (UID)") == ["* 3 EXISTS", "* 1 RECENT", "c BAD invalid message sequence number"])
        #expect(try await client.run("d FETCH 3 (UID)") == ["* 3 FETCH (UID 3)", "d OK FETCH completed"])
        _ = try await client.run("e SELECT Old")
        #expect(try await other.run("f DELETE Old") == ["f OK DELETE completed"])
        await client.session.waitForUpdates()
        #expect(try await client.run("g NOOP") == ["* 1 EXPUNGE", "g OK NOOP completed"])
        #expect(try await client.run("h FETCH 1:* (UID)") == ["h NO [NONEXISTENT] the selected mailbox was deleted"])
        // A new folder of the same name is another folder: never reached through the old selection.
        try await fixture.mailbox.createFolder("Old")
        try await fixture.mailbox.append(IMAPSessionMessages.message(5), to: "Old")
        #expect(try await client.run("i UID STORE 1 +FLAGS (\\Seen)") == ["i NO [NONEXISTENT] the selected mailbox was deleted"])
        #expect(try await client.run("j CLOSE") == ["j OK CLOSE completed"])
        #expect(try await fixture.mailbox.changes(in: "Old", since: 0).changed.map(\.flags) == [[]])
    }
}
