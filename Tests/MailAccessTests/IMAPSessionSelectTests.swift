import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// SELECT, EXAMINE, ENABLE, CLOSE and UNSELECT (RFC 9051 sections 6.3.1-6.3.2 and 6.4.1-6.4.2,
/// RFC 3501 section 6.3.1, RFC 5161, RFC 7162 sections 3.1.2 and 3.2.11), on the fake and on
/// the real encrypted mailbox. Expected lines follow the RFCs' examples.
@Suite("IMAP session: SELECT, EXAMINE, ENABLE")
struct IMAPSessionSelectTests {
    /// A mailbox with three INBOX messages, the first one seen and the third `$Work`.
    static func populated(_ kind: IMAPSessionMailboxKind) async throws -> IMAPSessionMailbox {
        let fixture = try kind.make()
        let mailbox = fixture.mailbox
        try await mailbox.append(IMAPSessionMessages.message(1), to: "INBOX", flags: [.seen], keywords: [], internalDate: Date())
        try await mailbox.append(IMAPSessionMessages.message(2), to: "INBOX")
        try await mailbox.append(IMAPSessionMessages.message(3), to: "INBOX", flags: [], keywords: ["$Work"], internalDate: Date())
        // Seen by an earlier session: not \Recent (IMAPSessionRecentTests covers \Recent).
        _ = try await mailbox.claimAllRecent(in: "INBOX")
        return fixture
    }

    @Test("SELECT in IMAP4rev1: EXISTS, RECENT 0, UIDVALIDITY, UIDNEXT, FLAGS, PERMANENTFLAGS, UNSEEN, READ-WRITE", arguments: IMAPSessionMailboxKind.allCases)
    func selectRev1(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.populated(kind)
        let status = try await fixture.mailbox.status(of: "INBOX")
        let client = IMAPSessionDriver(fixture.mailbox)
        let lines = try await client.run("A142 SELECT INBOX")
        #expect(
            lines == [
                "* 3 EXISTS", "* 0 RECENT", "* OK [UIDVALIDITY \(status.uidValidity)] UIDs valid", "* OK [UIDNEXT 4] Predicted next UID",
                "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Work)",
                "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Work \\*)] Flags permitted",
                "* OK [UNSEEN 2] First unseen", "A142 OK [READ-WRITE] SELECT completed",
            ])
    }

    @Test("SELECT after ENABLE IMAP4rev2: no RECENT, no UNSEEN, a LIST of the mailbox", arguments: IMAPSessionMailboxKind.allCases)
    func selectRev2(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.populated(kind)
        let status = try await fixture.mailbox.status(of: "INBOX")
        let client = IMAPSessionDriver(fixture.mailbox)
        #expect(try await client.run("e ENABLE IMAP4rev2") == ["* ENABLED IMAP4rev2", "e OK ENABLE completed"])
        #expect(await client.session.utf8Enabled)
        let lines = try await client.run("A142 SELECT inbox")
        #expect(
            lines == [
                "* 3 EXISTS", "* OK [UIDVALIDITY \(status.uidValidity)] UIDs valid", "* OK [UIDNEXT 4] Predicted next UID",
                "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Work)",
                "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Work \\*)] Flags permitted",
                "* LIST () \"/\" INBOX", "A142 OK [READ-WRITE] SELECT completed",
            ])
    }

    @Test("EXAMINE is read-only: empty PERMANENTFLAGS, READ-ONLY, STORE and EXPUNGE refused, nothing changes", arguments: IMAPSessionMailboxKind.allCases)
    func examine(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.populated(kind)
        let client = IMAPSessionDriver(fixture.mailbox)
        let lines = try await client.run("A932 EXAMINE INBOX")
        #expect(lines.contains("* OK [PERMANENTFLAGS ()] No permanent flags permitted"))
        #expect(lines.last == "A932 OK [READ-ONLY] EXAMINE completed")
        let before = try await fixture.snapshot()
        #expect(try await client.run("s STORE 1:* +FLAGS (\\Deleted)") == ["s NO [CANNOT] mailbox is read-only"])
        #expect(try await client.run("x EXPUNGE") == ["x NO [CANNOT] mailbox is read-only"])
        #expect(try await client.run("m MOVE 1 Trash") == ["m NO [CANNOT] mailbox is read-only"])
        #expect(try await client.run("c CLOSE") == ["c OK CLOSE completed"])
        #expect(try await fixture.snapshot() == before)
    }

    @Test("SELECT (CONDSTORE) and ENABLE CONDSTORE report HIGHESTMODSEQ (RFC 7162 section 3.1.2.1)", arguments: IMAPSessionMailboxKind.allCases)
    func condStore(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.populated(kind)
        let status = try await fixture.mailbox.status(of: "INBOX")
        let client = IMAPSessionDriver(fixture.mailbox)
        let lines = try await client.run("a SELECT INBOX (CONDSTORE)")
        #expect(lines.contains("* OK [HIGHESTMODSEQ \(status.highestModSeq)] Highest"))
        let other = IMAPSessionDriver(fixture.mailbox)
        _ = try await other.run("b SELECT INBOX")
        // ENABLE CONDSTORE in the selected state says the HIGHESTMODSEQ at once.
        #expect(
            try await other.run("c ENABLE CONDSTORE") == [
                "* ENABLED CONDSTORE", "* OK [HIGHESTMODSEQ \(status.highestModSeq)] Highest", "c OK ENABLE completed",
            ])
        #expect(try await other.run("d ENABLE CONDSTORE X-UNKNOWN") == ["* ENABLED", "d OK ENABLE completed"])
    }

    @Test("ENABLE: QRESYNC implies CONDSTORE, UTF8=ACCEPT turns UTF-8 names on, unknown names are ignored")
    func enable() async throws {
        let client = IMAPSessionDriver(InMemoryMailbox())
        #expect(!(await client.session.utf8Enabled))
        #expect(try await client.run("t ENABLE QRESYNC UTF8=ACCEPT FOO") == ["* ENABLED QRESYNC UTF8=ACCEPT", "t OK ENABLE completed"])
        #expect(await client.session.utf8Enabled)
        #expect(try await client.run("u ENABLE CONDSTORE QRESYNC") == ["* ENABLED", "u OK ENABLE completed"])
    }

    @Test("Selecting another mailbox sends [CLOSED] under QRESYNC; a failed SELECT leaves none selected", arguments: IMAPSessionMailboxKind.allCases)
    func reselect(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.populated(kind)
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("a ENABLE QRESYNC")
        _ = try await client.run("b SELECT INBOX")
        let lines = try await client.run("c EXAMINE Sent")
        #expect(lines.first == "* OK [CLOSED] Previous mailbox closed")
        #expect(lines.contains("* 0 EXISTS"))
        #expect(lines.last == "c OK [READ-ONLY] EXAMINE completed")
        #expect(try await client.run("d SELECT Nowhere") == ["* OK [CLOSED] Previous mailbox closed", "d NO [NONEXISTENT] no such mailbox"])
        #expect(try await client.run("e FETCH 1 FLAGS") == ["e BAD no mailbox selected"])
    }

    @Test("SELECT (QRESYNC ...) without ENABLE QRESYNC is BAD (RFC 7162 section 3.2.5)")
    func qresyncNeedsEnable() async throws {
        let client = IMAPSessionDriver(InMemoryMailbox())
        #expect(try await client.run("a SELECT INBOX (QRESYNC (1 1))") == ["a BAD QRESYNC is not enabled"])
    }

    @Test("CLOSE removes \\Deleted messages silently; UNSELECT does not", arguments: IMAPSessionMailboxKind.allCases)
    func closeAndUnselect(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.populated(kind)
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("a SELECT INBOX")
        #expect(try await client.run("b STORE 1 +FLAGS.SILENT (\\Deleted)") == ["b OK STORE completed"])
        #expect(try await client.run("c UNSELECT") == ["c OK UNSELECT completed"])
        #expect(try await fixture.mailbox.status(of: "INBOX").messageCount == 3)
        _ = try await client.run("d SELECT INBOX")
        #expect(try await client.run("e CLOSE") == ["e OK CLOSE completed"])
        #expect(try await fixture.mailbox.changes(in: "INBOX", since: 0).changed.map(\.uid) == [2, 3])
        #expect(try await client.run("f CLOSE") == ["f BAD no mailbox selected"])
        #expect(try await client.run("g UNSELECT") == ["g BAD no mailbox selected"])
    }

    @Test("Commands the connection owns are BAD here")
    func connectionCommands() async throws {
        let client = IMAPSessionDriver(InMemoryMailbox())
        for (line, tag) in [("a CAPABILITY", "a"), ("b LOGOUT", "b"), ("c STARTTLS", "c"), ("d IDLE", "d"), ("e ID NIL", "e"), ("f LOGIN u p", "f")] {
            #expect(try await client.run(line) == ["\(tag) BAD command handled by the connection"])
        }
    }
}
