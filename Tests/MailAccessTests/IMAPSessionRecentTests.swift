import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// `\Recent` as RFC 3501 section 2.3.2 defines it (and Dovecot behaves): a message is recent
/// in exactly one session, the first to have its folder selected read-write when it arrives
/// or to select it afterwards; EXAMINE sees recent messages without claiming them; the count
/// goes out as `* n RECENT` at SELECT/EXAMINE and whenever it changes; FETCH FLAGS, SEARCH
/// RECENT/NEW/OLD and STATUS RECENT follow it; STORE cannot set or clear it; IMAP4rev2 has
/// none of it (RFC 9051 Appendix E). On the fake and the encrypted file.
@Suite("IMAP session: \\Recent", .timeLimit(.minutes(2)))
struct IMAPSessionRecentTests {
    static func mailbox(_ kind: IMAPSessionMailboxKind, count: Int) async throws -> IMAPSessionMailbox {
        let fixture = try kind.make()
        for number in 1...count { try await fixture.mailbox.append(IMAPSessionMessages.message(number), to: "INBOX") }
        return fixture
    }

    static func recentLine(_ lines: [String]) -> String? { lines.first { $0.hasSuffix(" RECENT") } }

    @Test("The first SELECT claims: recent there, not in a second session's SELECT", arguments: IMAPSessionMailboxKind.allCases)
    func firstSelectClaims(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 3)
        let first = IMAPSessionDriver(fixture.mailbox)
        let second = IMAPSessionDriver(fixture.mailbox)
        #expect(Self.recentLine(try await first.run("a SELECT INBOX")) == "* 3 RECENT")
        #expect(Self.recentLine(try await second.run("a SELECT INBOX")) == "* 0 RECENT")
        #expect(
            try await first.run("b FETCH 1:3 (FLAGS)") == [
                "* 1 FETCH (FLAGS (\\Recent))", "* 2 FETCH (FLAGS (\\Recent))", "* 3 FETCH (FLAGS (\\Recent))", "b OK FETCH completed",
            ])
        #expect(
            try await second.run("b FETCH 1:3 (FLAGS)") == [
                "* 1 FETCH (FLAGS ())", "* 2 FETCH (FLAGS ())", "* 3 FETCH (FLAGS ())", "b OK FETCH completed",
            ])
        // Selecting again (in the same session) finds them claimed.
        #expect(Self.recentLine(try await first.run("c SELECT INBOX")) == "* 0 RECENT")
        #expect(try await first.run("d FETCH 1 (FLAGS)") == ["* 1 FETCH (FLAGS ())", "d OK FETCH completed"])
    }

    @Test("EXAMINE sees recent messages without claiming them", arguments: IMAPSessionMailboxKind.allCases)
    func examineDoesNotClaim(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 2)
        let examiner = IMAPSessionDriver(fixture.mailbox)
        #expect(Self.recentLine(try await examiner.run("a EXAMINE INBOX")) == "* 2 RECENT")
        #expect(try await examiner.run("b FETCH 2 (FLAGS)") == ["* 2 FETCH (FLAGS (\\Recent))", "b OK FETCH completed"])
        #expect(Self.recentLine(try await examiner.run("c EXAMINE INBOX")) == "* 2 RECENT")
        let selector = IMAPSessionDriver(fixture.mailbox)
        #expect(Self.recentLine(try await selector.run("a SELECT INBOX")) == "* 2 RECENT")
        #expect(Self.recentLine(try await IMAPSessionDriver(fixture.mailbox).run("a EXAMINE INBOX")) == "* 0 RECENT")
    }

    @Test("A message arriving while two sessions have the folder selected is recent in the one that reports it first", arguments: IMAPSessionMailboxKind.allCases)
    func arrivalGoesToFirstNoticer(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 2)
        let first = IMAPSessionDriver(fixture.mailbox)
        let second = IMAPSessionDriver(fixture.mailbox)
        _ = try await first.run("a SELECT INBOX")
        _ = try await second.run("a SELECT INBOX")
        try await fixture.mailbox.append(IMAPSessionMessages.message(3), to: "INBOX")
        #expect(try await second.run("b NOOP") == ["* 3 EXISTS", "* 1 RECENT", "b OK NOOP completed"])
        // The count did not change for the first session: EXISTS alone (as Dovecot).
        #expect(try await first.run("b NOOP") == ["* 3 EXISTS", "b OK NOOP completed"])
        #expect(try await second.run("c FETCH 3 (FLAGS)") == ["* 3 FETCH (FLAGS (\\Recent))", "c OK FETCH completed"])
        #expect(try await first.run("c FETCH 3 (FLAGS)") == ["* 3 FETCH (FLAGS ())", "c OK FETCH completed"])
        // The session's own APPEND into its selected folder: recent there (with 1 and 2,
        // which its SELECT claimed).
        #expect(Array(try await first.append(IMAPSessionMessages.message(4)).prefix(2)) == ["* 4 EXISTS", "* 3 RECENT"])
        #expect(try await first.run("d SEARCH RECENT") == ["* SEARCH 1 2 4", "d OK SEARCH completed"])
        // The other session hears of it: EXISTS, and no RECENT (claimed already).
        #expect(try await second.run("d NOOP") == ["* 4 EXISTS", "d OK NOOP completed"])
        #expect(try await second.run("e SEARCH RECENT") == ["* SEARCH 3", "e OK SEARCH completed"])
    }

    @Test("A message added while SELECT runs, after its read, is left for the session that reports it first", arguments: IMAPSessionMailboxKind.allCases)
    func selectClaimsOnlyWhatItReports(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 2)
        let mailbox = IMAPCountingMailbox(fixture.mailbox)
        let base = fixture.mailbox
        // Between the SELECT's read and its claim, message 3 arrives.
        mailbox.beforeNextClaim { try await base.append(IMAPSessionMessages.message(3), to: "INBOX") }
        let first = IMAPSessionDriver(mailbox)
        let selected = try await first.run("a SELECT INBOX")
        // Its own claim stops at what its EXISTS reported.
        #expect(Array(selected.prefix(2)) == ["* 2 EXISTS", "* 2 RECENT"])
        let second = IMAPSessionDriver(mailbox)
        let secondSelected = try await second.run("a SELECT INBOX")
        #expect(secondSelected.contains("* 3 EXISTS"))
        if selected.contains("* 3 EXISTS") {
            // The append's event reached the first session during its SELECT: it reported
            // message 3 first (its own EXISTS update), so it is recent there.
            #expect(Array(selected.suffix(3).prefix(2)) == ["* 3 EXISTS", "* 3 RECENT"])
            #expect(Self.recentLine(secondSelected) == "* 0 RECENT")
            #expect(try await first.run("c SEARCH RECENT") == ["* SEARCH 1 2 3", "c OK SEARCH completed"])
        } else {
            // The second session's SELECT reports message 3 first.
            #expect(Self.recentLine(secondSelected) == "* 1 RECENT")
            #expect(try await first.run("b NOOP") == ["* 3 EXISTS", "b OK NOOP completed"])
            #expect(try await first.run("c SEARCH RECENT") == ["* SEARCH 1 2", "c OK SEARCH completed"])
            #expect(try await second.run("b SEARCH RECENT") == ["* SEARCH 3", "b OK SEARCH completed"])
        }
    }

    @Test("New messages: a session claims up to the last one its EXISTS reports, not one that arrived after", arguments: IMAPSessionMailboxKind.allCases)
    func updateClaimsOnlyWhatItReports(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 2)
        let mailbox = IMAPCountingMailbox(fixture.mailbox)
        let base = fixture.mailbox
        let first = IMAPSessionDriver(mailbox)
        let second = IMAPSessionDriver(mailbox)
        #expect(Self.recentLine(try await first.run("a SELECT INBOX")) == "* 2 RECENT")
        #expect(Self.recentLine(try await second.run("a SELECT INBOX")) == "* 0 RECENT")
        try await base.append(IMAPSessionMessages.message(3), to: "INBOX")
        // Message 4 arrives after the first session read 3 and before its claim.
        mailbox.beforeNextClaim { try await base.append(IMAPSessionMessages.message(4), to: "INBOX") }
        #expect(try await first.run("b NOOP") == ["* 3 EXISTS", "* 3 RECENT", "b OK NOOP completed"])
        // The second session reports 4 first: it is recent there.
        #expect(try await second.run("b NOOP") == ["* 4 EXISTS", "* 1 RECENT", "b OK NOOP completed"])
        #expect(try await first.run("c NOOP") == ["* 4 EXISTS", "c OK NOOP completed"])
        #expect(try await first.run("d SEARCH RECENT") == ["* SEARCH 1 2 3", "d OK SEARCH completed"])
        #expect(try await second.run("c SEARCH RECENT") == ["* SEARCH 4", "c OK SEARCH completed"])
    }

    @Test("A folder deleted and made again between SELECT's read and its claim keeps its recent messages for the next session", arguments: IMAPSessionMailboxKind.allCases)
    func recreatedFolderKeepsRecent(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try kind.make()
        let base = fixture.mailbox
        try await base.createFolder("Work")
        for number in 1...2 { try await base.append(IMAPSessionMessages.message(number), to: "Work") }
        let mailbox = IMAPCountingMailbox(base)
        mailbox.beforeNextClaim {
            try await base.deleteFolder("Work")
            try await base.createFolder("Work")
            for number in 1...3 { try await base.append(IMAPSessionMessages.message(number), to: "Work") }
        }
        let first = IMAPSessionDriver(mailbox)
        let selected = try await first.run("a SELECT Work")
        #expect(selected.contains("* 2 EXISTS") && Self.recentLine(selected) == "* 0 RECENT")
        #expect(try await base.status(of: "Work").recentCount == 3)
        let second = IMAPSessionDriver(mailbox)
        let again = try await second.run("a SELECT Work")
        #expect(again.contains("* 3 EXISTS") && Self.recentLine(again) == "* 3 RECENT")
    }

    @Test("COPY and MOVE into the selected folder make recent copies; into another folder, recent for whoever selects it", arguments: IMAPSessionMailboxKind.allCases)
    func copiesAreRecent(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 3)
        try await fixture.mailbox.createFolder("Work")
        let client = IMAPSessionDriver(fixture.mailbox)
        #expect(Self.recentLine(try await client.run("a SELECT INBOX")) == "* 3 RECENT")
        #expect(try await client.run("b COPY 1 INBOX").prefix(2) == ["* 4 EXISTS", "* 4 RECENT"])
        _ = try await client.run("c COPY 1:2 Work")
        _ = try await client.run("d MOVE 3 Work")
        #expect(try await client.run("e STATUS Work (MESSAGES RECENT)") == ["* STATUS Work (MESSAGES 3 RECENT 3)", "e OK STATUS completed"])
        #expect(Self.recentLine(try await client.run("f SELECT Work")) == "* 3 RECENT")
        #expect(try await IMAPSessionDriver(fixture.mailbox).run("g STATUS Work (RECENT)") == ["* STATUS Work (RECENT 0)", "g OK STATUS completed"])
    }

    @Test("Expunges shrink the count: * n RECENT follows the EXPUNGE", arguments: IMAPSessionMailboxKind.allCases)
    func expungeShrinks(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 3)
        let client = IMAPSessionDriver(fixture.mailbox)
        _ = try await client.run("a SELECT INBOX")
        _ = try await client.run("b STORE 2 +FLAGS.SILENT (\\Deleted)")
        #expect(try await client.run("c EXPUNGE") == ["* 2 EXPUNGE", "* 2 RECENT", "c OK EXPUNGE completed"])
        #expect(try await client.run("d SEARCH RECENT") == ["* SEARCH 1 2", "d OK SEARCH completed"])
    }

    @Test("SEARCH RECENT, NEW (recent and unseen) and OLD; STORE cannot set or clear \\Recent", arguments: IMAPSessionMailboxKind.allCases)
    func searchKeys(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 2)
        _ = try await IMAPSessionDriver(fixture.mailbox).run("a SELECT INBOX")
        try await fixture.mailbox.append(IMAPSessionMessages.message(3), to: "INBOX", flags: [.seen], keywords: [], internalDate: Date())
        try await fixture.mailbox.append(IMAPSessionMessages.message(4), to: "INBOX")
        let client = IMAPSessionDriver(fixture.mailbox)
        #expect(Self.recentLine(try await client.run("a SELECT INBOX")) == "* 2 RECENT")
        #expect(try await client.run("b SEARCH RECENT") == ["* SEARCH 3 4", "b OK SEARCH completed"])
        #expect(try await client.run("c SEARCH NEW") == ["* SEARCH 4", "c OK SEARCH completed"])
        #expect(try await client.run("d SEARCH OLD") == ["* SEARCH 1 2", "d OK SEARCH completed"])
        #expect(try await client.run("e UID SEARCH NOT RECENT") == ["* SEARCH 1 2", "e OK SEARCH completed"])
        #expect(try await client.run("f SEARCH OR NEW 1") == ["* SEARCH 1 4", "f OK SEARCH completed"])
        #expect(try await client.run("g STORE 4 -FLAGS (\\Recent)") == ["* 4 FETCH (FLAGS (\\Recent))", "g OK STORE completed"])
        #expect(try await client.run("h STORE 1 +FLAGS (\\Recent)") == ["* 1 FETCH (FLAGS ())", "h OK STORE completed"])
        #expect(try await client.run("i SEARCH RECENT") == ["* SEARCH 3 4", "i OK SEARCH completed"])
    }

    @Test("STATUS RECENT: the unclaimed messages of another folder; of the selected one, the session's own", arguments: IMAPSessionMailboxKind.allCases)
    func statusRecent(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try await Self.mailbox(kind, count: 3)
        let client = IMAPSessionDriver(fixture.mailbox)
        #expect(try await client.run("a STATUS INBOX (RECENT MESSAGES)") == ["* STATUS INBOX (RECENT 3 MESSAGES 3)", "a OK STATUS completed"])
        _ = try await client.run("b SELECT INBOX")
        #expect(try await client.run("c STATUS INBOX (RECENT)") == ["* STATUS INBOX (RECENT 3)", "c OK STATUS completed"])
        let other = IMAPSessionDriver(fixture.mailbox)
        #expect(try await other.run("a STATUS INBOX (RECENT)") == ["* STATUS INBOX (RECENT 0)", "a OK STATUS completed"])
        try await fixture.mailbox.append(IMAPSessionMessages.message(4), to: "INBOX")
        #expect(try await other.run("b STATUS INBOX (RECENT)") == ["* STATUS INBOX (RECENT 1)", "b OK STATUS completed"])
    }

    @Test("Under IMAP4rev2 nothing is recent and nothing is claimed: a rev1 session gets the messages after")
    func noRecentInRev2() async throws {
        let mailbox = InMemoryMailbox()
        for number in 1...2 { try await mailbox.append(IMAPSessionMessages.message(number), to: "INBOX") }
        let modern = IMAPSessionDriver(mailbox)
        _ = try await modern.run("a ENABLE IMAP4rev2")
        let selected = try await modern.run("b SELECT INBOX")
        #expect(Self.recentLine(selected) == nil)
        #expect(try await modern.run("c FETCH 1 (FLAGS)") == ["* 1 FETCH (FLAGS ())", "c OK FETCH completed"])
        try await mailbox.append(IMAPSessionMessages.message(3), to: "INBOX")
        #expect(try await modern.run("d NOOP") == ["* 3 EXISTS", "d OK NOOP completed"])
        #expect(try await modern.run("e STATUS INBOX (RECENT)") == ["* STATUS INBOX (RECENT 0)", "e OK STATUS completed"])
        let classic = IMAPSessionDriver(mailbox)
        #expect(Self.recentLine(try await classic.run("a SELECT INBOX")) == "* 3 RECENT")
    }

    @Test("A claimed message is not recent again after the file is closed and opened again")
    func notRecentAfterRestart() async throws {
        let fixture = try await Self.mailbox(.encryptedSQLite, count: 2)
        let directory = try #require(fixture.directory)
        let client = IMAPSessionDriver(fixture.mailbox)
        #expect(Self.recentLine(try await client.run("a SELECT INBOX")) == "* 2 RECENT")
        try await fixture.mailbox.append(IMAPSessionMessages.message(3), to: "INBOX")
        await client.session.close()
        await fixture.mailbox.close()

        var configuration = SQLiteMailbox.Configuration()
        configuration.opener = .encrypted(kdfIterations: 1000)
        configuration.synchronous = .normal
        let reopened = try SQLiteMailbox(
            path: directory.path("member.sqlite"), create: false, passphrase: IMAPSessionMailboxKind.passphrase, configuration: configuration)
        let again = IMAPSessionDriver(reopened)
        // Message 3 arrived after the claim: recent now, once; 1 and 2 never again.
        #expect(Self.recentLine(try await again.run("a SELECT INBOX")) == "* 1 RECENT")
        #expect(try await again.run("b SEARCH RECENT") == ["* SEARCH 3", "b OK SEARCH completed"])
        #expect(Self.recentLine(try await IMAPSessionDriver(reopened).run("a SELECT INBOX")) == "* 0 RECENT")
        await reopened.close()
    }
}
