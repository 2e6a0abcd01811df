import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// APPEND, STORE, FETCH, SEARCH, COPY, MOVE, EXPUNGE and the quota commands of one session
/// (RFC 9051 section 6.3.12 and 6.4, RFC 3501, RFC 4315 UIDPLUS, RFC 6851 MOVE, RFC 7162
/// CONDSTORE, RFC 5182 SEARCHRES, RFC 9208 QUOTA), on the fake and on the encrypted file.
@Suite("IMAP session: APPEND, STORE, FETCH, SEARCH, COPY, MOVE, EXPUNGE, QUOTA")
struct IMAPSessionMessageTests {
    /// `count` INBOX messages appended through the model, none flagged.
    static func mailbox(_ kind: IMAPSessionMailboxKind, count: Int, quota: MailboxQuota = .unlimited) async throws -> IMAPSessionMailbox {
        let fixture = try kind.make(quota: quota)
        for number in 1...max(1, count) where count > 0 {
            try await fixture.mailbox.append(IMAPSessionMessages.message(number), to: "INBOX")
        }
        // Seen by an earlier session: not \Recent (IMAPSessionRecentTests covers \Recent).
        _ = try await fixture.mailbox.claimAllRecent(in: "INBOX")
        return fixture
    }

    @Test("APPEND with flags and date-time: APPENDUID, the bytes, flags and internal date stored exactly", arguments: IMAPSessionMailboxKind.allCases)
    func append(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try kind.make()
        let validity = try await fixture.mailbox.status(of: "INBOX").uidValidity
        let client = IMAPSessionDriver(fixture.mailbox)
        let message = IMAPSessionMessages.message(7)
        #expect(
            try await client.append(message, flags: "\\Seen $Work", date: "17-Jul-1996 02:44:25 -0700")
                == ["ap OK [APPENDUID \(validity) 1] APPEND completed"])
        let stored = try #require(try await fixture.mailbox.fetch(UIDSet([1]), in: "INBOX", content: .whole).first)
        #expect(stored.content == message)
        #expect(stored.flags == [.seen])
        #expect(stored.keywords == ["$Work"])
        #expect(stored.internalDate == Date(timeIntervalSince1970: 837_596_665))
        // MULTIAPPEND (RFC 3502): both or neither, one APPENDUID range.
        let two = Array("m APPEND INBOX (\\Flagged) {5}\r\nab\r\nc {3}\r\nxyz\r\n".utf8)
        #expect(try await client.run(bytes: two) == ["m OK [APPENDUID \(validity) 2:3] APPEND completed"])
        #expect(try await fixture.mailbox.status(of: "INBOX").messageCount == 3)
    }

    @Test("APPEND refusals: TRYCREATE, OVERQUOTA, TOOBIG, an empty message, a date the calendar lacks", arguments: IMAPSessionMailboxKind.allCases)
    func appendRefusals(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 1, quota: MailboxQuota(maxMessages: 1, maxMessageBytes: 1_000))
        let client = IMAPSessionDriver(fixture.mailbox)
        let before = try await fixture.snapshot()
        #expect(try await client.append(IMAPSessionMessages.message(2), to: "Nowhere") == ["ap NO [TRYCREATE] no such mailbox"])
        #expect(try await client.append(IMAPSessionMessages.message(2)) == ["ap NO [OVERQUOTA] quota exceeded"])
        #expect(try await client.append(Array(repeating: 0x41, count: 2_000)) == ["ap NO [TOOBIG] message too large"])
        #expect(try await client.append([]) == ["ap NO [CANNOT] an empty message cannot be appended"])
        #expect(try await client.append(IMAPSessionMessages.message(2), date: "31-Feb-2024 10:00:00 +0000") == ["ap BAD invalid date-time"])
        #expect(try await client.append(IMAPSessionMessages.message(2), flags: "\\Bogus") == ["ap BAD unknown system flag"])
        #expect(try await fixture.snapshot() == before)
    }

    @Test("APPEND to the selected mailbox is announced with EXISTS before the tagged OK", arguments: IMAPSessionMailboxKind.allCases)
    func appendToSelected(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 2)
        let validity = try await fixture.mailbox.status(of: "INBOX").uidValidity
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("a SELECT INBOX")
        #expect(try await client.append(IMAPSessionMessages.message(3)) == ["* 3 EXISTS", "* 1 RECENT", "ap OK [APPENDUID \(validity) 3] APPEND completed"])
        // The hub's echo of our own APPEND is not announced a second time.
        #expect(try await client.run("n NOOP") == ["n OK NOOP completed"])
    }

    @Test("STORE: FLAGS, +FLAGS, -FLAGS answer every message's flags; .SILENT answers nothing; UID STORE adds UID", arguments: IMAPSessionMailboxKind.allCases)
    func store(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 3)
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("a SELECT INBOX")
        #expect(try await client.run("b STORE 1:2 +FLAGS (\\Seen)") == ["* 1 FETCH (FLAGS (\\Seen))", "* 2 FETCH (FLAGS (\\Seen))", "b OK STORE completed"])
        // RFC 3501 section 6.4.6: already-set flags still come back.
        #expect(
            try await client.run("c STORE 2:3 +FLAGS (\\Seen \\Flagged)")
                == ["* 2 FETCH (FLAGS (\\Seen \\Flagged))", "* 3 FETCH (FLAGS (\\Seen \\Flagged))", "c OK STORE completed"])
        #expect(try await client.run("d UID STORE 3 -FLAGS (\\Seen)") == ["* 3 FETCH (UID 3 FLAGS (\\Flagged))", "d OK STORE completed"])
        #expect(try await client.run("e STORE 1 FLAGS ($Work \\Answered)") == ["* 1 FETCH (FLAGS (\\Answered $Work))", "e OK STORE completed"])
        #expect(try await client.run("f STORE 1:* +FLAGS.SILENT (\\Deleted)") == ["f OK STORE completed"])
        let flags = try await fixture.mailbox.changes(in: "INBOX", since: 0).changed.map(\.flags)
        #expect(flags == [[.answered, .deleted], [.seen, .flagged, .deleted], [.flagged, .deleted]])
        // The session's own changes are not reported again at the next command.
        #expect(try await client.run("g NOOP") == ["g OK NOOP completed"])
    }

    @Test("STORE (UNCHANGEDSINCE): messages changed since are left alone and listed in [MODIFIED] (RFC 7162 section 3.1.3)", arguments: IMAPSessionMailboxKind.allCases)
    func conditionalStore(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 3)
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("a SELECT INBOX (CONDSTORE)")
        let known = try await fixture.mailbox.status(of: "INBOX").highestModSeq
        // Another client changes message 2 after `known`.
        let other = IMAPSessionDriver(fixture.mailbox)
        _ = try await other.run("o SELECT INBOX")
        _ = try await other.run("p STORE 2 +FLAGS.SILENT (\\Flagged)")
        await client.session.waitForUpdates()
        #expect(try await client.run("n NOOP").first?.hasPrefix("* 2 FETCH (FLAGS (\\Flagged) MODSEQ (") == true)
        let lines = try await client.run("b STORE 1:3 (UNCHANGEDSINCE \(known)) +FLAGS.SILENT (\\Deleted)")
        let changes = try await fixture.mailbox.changes(in: "INBOX", since: known).changed
        let modSeqs = Dictionary(uniqueKeysWithValues: changes.map { ($0.uid, $0.modSeq) })
        #expect(lines.contains("* 1 FETCH (MODSEQ (\(modSeqs[1] ?? 0)))"))
        #expect(lines.contains("* 3 FETCH (MODSEQ (\(modSeqs[3] ?? 0)))"))
        #expect(lines.last == "b OK [MODIFIED 2] Conditional STORE failed")
        #expect(try await fixture.mailbox.changes(in: "INBOX", since: 0).changed.map { $0.flags.contains(.deleted) } == [true, false, true])
        // RFC 7162 section 3.1.3's example 3 shape: UID STORE .SILENT answers UID and MODSEQ.
        let now = try await fixture.mailbox.status(of: "INBOX").highestModSeq
        let uidLines = try await client.run("c UID STORE 3,1 (UNCHANGEDSINCE \(now)) +FLAGS.SILENT (\\Seen)")
        let after = Dictionary(uniqueKeysWithValues: try await fixture.mailbox.changes(in: "INBOX", since: now).changed.map { ($0.uid, $0.modSeq) })
        #expect(uidLines == ["* 1 FETCH (UID 1 MODSEQ (\(after[1] ?? 0)))", "* 3 FETCH (UID 3 MODSEQ (\(after[3] ?? 0)))", "c OK STORE completed"])
    }

    @Test("EXPUNGE reports each removal with its number at that moment (RFC 3501 section 6.4.3's example)", arguments: IMAPSessionMailboxKind.allCases)
    func expunge(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 11)
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("a SELECT INBOX")
        _ = try await client.run("b STORE 3,4,7,11 +FLAGS.SILENT (\\Deleted)")
        #expect(try await client.run("A202 EXPUNGE") == ["* 3 EXPUNGE", "* 3 EXPUNGE", "* 5 EXPUNGE", "* 8 EXPUNGE", "A202 OK EXPUNGE completed"])
        #expect(try await client.run("c FETCH 7 UID") == ["* 7 FETCH (UID 10)", "c OK FETCH completed"])
        // UID EXPUNGE (RFC 4315) removes only the listed \Deleted messages.
        _ = try await client.run("d STORE 1:2 +FLAGS.SILENT (\\Deleted)")
        #expect(try await client.run("e UID EXPUNGE 2:5") == ["* 2 EXPUNGE", "e OK EXPUNGE completed"])
        #expect(try await fixture.mailbox.changes(in: "INBOX", since: 0).changed.map(\.uid) == [1, 5, 6, 8, 9, 10])
    }

    @Test("EXPUNGE under QRESYNC is VANISHED (RFC 7162 section 3.2.10)", arguments: IMAPSessionMailboxKind.allCases)
    func expungeVanished(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 5)
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("q ENABLE QRESYNC")
        _ = try await client.run("a SELECT INBOX")
        _ = try await client.run("b STORE 2:4 +FLAGS.SILENT (\\Deleted)")
        let lines = try await client.run("c EXPUNGE")
        #expect(lines == ["* VANISHED 2:4", "c OK EXPUNGE completed"])
    }

    @Test("FETCH: attributes through the responder; BODY[] sets \\Seen and sends FLAGS, BODY.PEEK and EXAMINE do not", arguments: IMAPSessionMailboxKind.allCases)
    func fetch(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 2)
        let message = IMAPSessionMessages.message(2)
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("a EXAMINE INBOX")
        #expect(try await client.run("b FETCH 2 (RFC822.SIZE BODY[])") == [
            "* 2 FETCH (RFC822.SIZE \(message.count) BODY[] {\(message.count)}\r\n" + String(decoding: message, as: UTF8.self) + ")",
            "b OK FETCH completed",
        ])
        _ = try await client.run("c SELECT INBOX")
        #expect(try await client.run("d FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])") == [
            "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {22}\r\nSubject: message 1\r\n\r\n)", "d OK FETCH completed",
        ])
        #expect(try await client.run("e FETCH 2 BODY[TEXT]") == ["* 2 FETCH (BODY[TEXT] {20}\r\nBody of message 2.\r\n FLAGS (\\Seen))", "e OK FETCH completed"])
        #expect(try await client.run("f FETCH 1:2 FLAGS") == ["* 1 FETCH (FLAGS ())", "* 2 FETCH (FLAGS (\\Seen))", "f OK FETCH completed"])
        // RFC 3501 section 6.4.8's example: UID FETCH answers carry UID after the items asked.
        #expect(try await client.run("g UID FETCH 2 (FLAGS)") == ["* 2 FETCH (FLAGS (\\Seen) UID 2)", "g OK FETCH completed"])
    }

    @Test("FETCH under CONDSTORE: MODSEQ with every FLAGS; CHANGEDSINCE; UID FETCH VANISHED (RFC 7162 sections 3.1.4, 3.2.6)", arguments: IMAPSessionMailboxKind.allCases)
    func fetchChangedSince(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 4)
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("q ENABLE QRESYNC")
        _ = try await client.run("a SELECT INBOX")
        let since = try await fixture.mailbox.status(of: "INBOX").highestModSeq
        _ = try await client.run("b STORE 2 +FLAGS.SILENT (\\Flagged)")
        _ = try await client.run("c STORE 4 +FLAGS.SILENT (\\Deleted)")
        _ = try await client.run("d UID EXPUNGE 4")
        let modSeq2 = try #require(try await fixture.mailbox.changes(in: "INBOX", since: since).changed.first { $0.uid == 2 }?.modSeq)
        #expect(try await client.run("e FETCH 1:* (FLAGS) (CHANGEDSINCE \(since))") == [
            "* 2 FETCH (FLAGS (\\Flagged) MODSEQ (\(modSeq2)))", "e OK FETCH completed",
        ])
        #expect(try await client.run("f UID FETCH 1:10 (FLAGS) (CHANGEDSINCE \(since) VANISHED)") == [
            "* VANISHED (EARLIER) 4", "* 2 FETCH (FLAGS (\\Flagged) UID 2 MODSEQ (\(modSeq2)))", "f OK FETCH completed",
        ])
    }

    @Test("A large FLAGS/UID/MODSEQ FETCH (answered from the folder's state) equals the same FETCH message by message (through the responder)", arguments: IMAPSessionMailboxKind.allCases)
    func stateFetchEqualsResponder(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try kind.make()
        let batch = (1...150).map { number in
            MessageToAppend(
                IMAPSessionMessages.message(number), flags: number == 7 ? [.deleted] : MessageFlags(rawValue: number % 32).subtracting(.deleted), keywords: number % 5 == 0 ? ["$Label\(number % 3)"] : [])
        }
        _ = try await fixture.mailbox.append(contentsOf: batch, to: "INBOX")
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("a SELECT INBOX (CONDSTORE)")
        let whole = try await client.run("b FETCH 1:* (FLAGS UID)")
        var single: [String] = []
        for number in 1...150 { single += try await client.run("c FETCH \(number) (FLAGS UID)").dropLast() }
        #expect(whole.dropLast() == single[...])
        #expect(whole.count == 151)
        #expect(whole.first?.contains("MODSEQ (") == true)
        // A message gone elsewhere (flagged \Deleted from the start, so the removal is the one event) is left out the same way.
        _ = try await fixture.mailbox.expunge("INBOX")
        await client.session.waitForUpdates()
        let held = try await client.run("d FETCH 1:* (UID)")
        #expect(held.count == 150)
        #expect(!held.contains("* 7 FETCH (UID 7)"))
        #expect(held.last == "d OK [EXPUNGEISSUED] Some messages were expunged")
        let afterExpunge = try await client.run("e UID FETCH 1:* (UID)")
        // All 150 were new to this session's SELECT (\Recent in both answers above); one fewer now.
        #expect(afterExpunge.prefix(2) == ["* 7 EXPUNGE", "* 149 RECENT"])
        #expect(afterExpunge.count == 152)
        #expect(afterExpunge.last == "e OK FETCH completed")
    }

    @Test("SEARCH and UID SEARCH through the evaluator; ESEARCH under IMAP4rev2; RETURN (SAVE) then $ (RFC 5182)", arguments: IMAPSessionMailboxKind.allCases)
    func search(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 5)
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("a SELECT INBOX")
        _ = try await client.run("b STORE 2,4 +FLAGS.SILENT (\\Seen)")
        _ = try await client.run("b2 STORE 1 +FLAGS.SILENT (\\Deleted)")
        _ = try await client.run("b3 EXPUNGE")
        #expect(try await client.run("c SEARCH UNSEEN") == ["* SEARCH 2 4", "c OK SEARCH completed"])
        #expect(try await client.run("d UID SEARCH UNSEEN") == ["* SEARCH 3 5", "d OK SEARCH completed"])
        #expect(try await client.run("e SEARCH RETURN (MIN COUNT) SEEN") == ["* ESEARCH (TAG \"e\") MIN 1 COUNT 2", "e OK SEARCH completed"])
        #expect(try await client.run("f UID SEARCH RETURN (SAVE) SEEN") == ["f OK SEARCH completed"])
        #expect(try await client.run("g FETCH $ (UID)") == ["* 1 FETCH (UID 2)", "* 3 FETCH (UID 4)", "g OK FETCH completed"])
        _ = try await client.run("h ENABLE IMAP4rev2")
        #expect(try await client.run("i SEARCH SUBJECT \"message 5\"") == ["* ESEARCH (TAG \"i\") ALL 4", "i OK SEARCH completed"])
        #expect(try await client.run("j SEARCH CHARSET ISO-8859-1 ALL").last?.hasPrefix("j NO [BADCHARSET") == true)
    }

    @Test("COPY and MOVE: COPYUID, TRYCREATE; MOVE sends COPYUID then EXPUNGE (RFC 6851 section 4.3's example shape)", arguments: IMAPSessionMailboxKind.allCases)
    func copyAndMove(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 4)
        let trash = try await fixture.mailbox.status(of: "Trash").uidValidity
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("a SELECT INBOX")
        #expect(try await client.run("b COPY 2:3 Trash") == ["b OK [COPYUID \(trash) 2:3 1:2] COPY completed"])
        #expect(try await client.run("c COPY 1 Nowhere") == ["c NO [TRYCREATE] no such mailbox"])
        #expect(try await client.run("d UID MOVE 1,3 Trash") == ["* OK [COPYUID \(trash) 1,3 3:4] Moved UIDs", "* 1 EXPUNGE", "* 2 EXPUNGE", "d OK MOVE completed"])
        #expect(try await client.run("e UID FETCH 1:* UID") == ["* 1 FETCH (UID 2)", "* 2 FETCH (UID 4)", "e OK FETCH completed"])
        #expect(try await fixture.mailbox.status(of: "Trash").messageCount == 4)
        // Copying into the selected mailbox announces the copies.
        let validity = try await fixture.mailbox.status(of: "INBOX").uidValidity
        #expect(try await client.run("f COPY 1 INBOX") == ["* 3 EXISTS", "* 1 RECENT", "f OK [COPYUID \(validity) 2 5] COPY completed"])
        _ = try await client.run("q ENABLE QRESYNC")
        #expect(try await client.run("g MOVE 1:2 Trash") == ["* OK [COPYUID \(trash) 2,4 5:6] Moved UIDs", "* VANISHED 2,4", "g OK MOVE completed"])
    }

    @Test("GETQUOTAROOT and GETQUOTA from the model's usage; SETQUOTA is NO [NOPERM]", arguments: IMAPSessionMailboxKind.allCases)
    func quota(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 2, quota: MailboxQuota(maxBytes: 10 * 1024, maxMessages: 100))
        let usage = try await fixture.mailbox.usage()
        let kib = (usage.bytes + 1023) / 1024
        let client = IMAPSessionDriver(fixture.mailbox)
        #expect(try await client.run("a GETQUOTAROOT INBOX") == [
            "* QUOTAROOT INBOX \"\"", "* QUOTA \"\" (STORAGE \(kib) 10 MESSAGE 2 100)", "a OK GETQUOTAROOT completed",
        ])
        #expect(try await client.run("b GETQUOTA \"\"") == ["* QUOTA \"\" (STORAGE \(kib) 10 MESSAGE 2 100)", "b OK GETQUOTA completed"])
        #expect(try await client.run("c GETQUOTA other") == ["c NO [NONEXISTENT] no such quota root"])
        #expect(try await client.run("d GETQUOTAROOT Nowhere") == ["d NO [NONEXISTENT] no such mailbox"])
        #expect(try await client.run("e SETQUOTA \"\" (STORAGE 512)") == ["e NO [NOPERM] quotas are set by the host, not over IMAP"])
        let unlimited = IMAPSessionDriver(try await Self.mailbox(kind, count: 0).mailbox)
        #expect(try await unlimited.run("f GETQUOTAROOT INBOX") == ["* QUOTAROOT INBOX", "f OK GETQUOTAROOT completed"])
    }
}
