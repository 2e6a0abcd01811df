import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// CREATE, DELETE, RENAME, SUBSCRIBE, LIST (basic and RFC 5258 extended, RFC 5819 STATUS,
/// RFC 6154 SPECIAL-USE), LSUB, NAMESPACE and STATUS of one session, on both mailboxes.
@Suite("IMAP session: CREATE, DELETE, RENAME, SUBSCRIBE, LIST, LSUB, NAMESPACE, STATUS")
struct IMAPSessionFolderTests {
    static let defaultFolders = [
        "* LIST (\\HasNoChildren) \"/\" INBOX", "* LIST (\\HasNoChildren \\Archive) \"/\" Archive",
        "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts", "* LIST (\\HasNoChildren \\Junk) \"/\" Junk",
        "* LIST (\\HasNoChildren \\Sent) \"/\" Sent", "* LIST (\\HasNoChildren \\Trash) \"/\" Trash",
    ]

    @Test("CREATE: a trailing delimiter is dropped, INBOX and existing names are ALREADYEXISTS, bad names CANNOT, USE sets special use", arguments: IMAPSessionMailboxKind.allCases)
    func create(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try kind.make()
        let client = IMAPSessionDriver(fixture.mailbox)
        #expect(try await client.run("a CREATE Work/") == ["a OK CREATE completed"])
        #expect(try await client.run("b CREATE Work/Projects") == ["b OK CREATE completed"])
        #expect(try await client.run("c CREATE inbox") == ["c NO [ALREADYEXISTS] INBOX always exists"])
        #expect(try await client.run("d CREATE Work") == ["d NO [ALREADYEXISTS] mailbox already exists"])
        #expect(try await client.run("e CREATE \"Bad//Name\"") == ["e NO [CANNOT] invalid mailbox name"])
        #expect(try await client.run("f CREATE Old (USE (\\Archive))") == ["f NO [USEATTR] another mailbox has that special use"])
        #expect(try await client.run("g CREATE Odd (USE (\\Flagged))") == ["g NO [USEATTR] unsupported special use"])
        try await fixture.mailbox.deleteFolder("Archive")
        #expect(try await client.run("h CREATE Old (USE (\\Archive))") == ["h OK CREATE completed"])
        #expect(try await fixture.mailbox.status(of: "Old").specialUse == .archive)
        #expect(try await fixture.mailbox.folders().map(\.name) == ["INBOX", "Drafts", "Junk", "Old", "Sent", "Trash", "Work", "Work/Projects"])
    }

    @Test("LIST: basic with * and %, levels that are no mailbox, the empty pattern, references (RFC 3501 section 6.3.8)", arguments: IMAPSessionMailboxKind.allCases)
    func list(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try kind.make()
        try await fixture.mailbox.createFolder("Work")
        try await fixture.mailbox.createFolder("Work/Projects")
        try await fixture.mailbox.createFolder("Deep/Inner")
        let client = IMAPSessionDriver(fixture.mailbox)
        let all = try await client.run("a LIST \"\" *")
        #expect(
            all == Array(Self.defaultFolders.prefix(2)) + ["* LIST (\\Noselect \\HasChildren) \"/\" Deep", "* LIST (\\HasNoChildren) \"/\" Deep/Inner"]
                + Array(Self.defaultFolders.dropFirst(2)) + ["* LIST (\\HasChildren) \"/\" Work", "* LIST (\\HasNoChildren) \"/\" Work/Projects", "a OK LIST completed"])
        #expect(
            try await client.run("b LIST Work/ %") == ["* LIST (\\HasNoChildren) \"/\" Work/Projects", "b OK LIST completed"])
        #expect(try await client.run("c LIST \"\" D%") == [
            "* LIST (\\Noselect \\HasChildren) \"/\" Deep", "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts", "c OK LIST completed",
        ])
        #expect(try await client.run("d LIST \"\" \"\"") == ["* LIST (\\Noselect) \"/\" \"\"", "d OK LIST completed"])
        #expect(try await client.run("e LIST \"\" inbox") == ["* LIST (\\HasNoChildren) \"/\" INBOX", "e OK LIST completed"])
        #expect(try await client.run("f LIST \"\" Nothing*") == ["f OK LIST completed"])
    }

    @Test("LIST-EXTENDED: SUBSCRIBED with RECURSIVEMATCH and CHILDINFO, SPECIAL-USE, RETURN (SUBSCRIBED STATUS) (RFC 5258, 5819, 6154)", arguments: IMAPSessionMailboxKind.allCases)
    func listExtended(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try kind.make()
        try await fixture.mailbox.createFolder("Work")
        try await fixture.mailbox.createFolder("Work/Projects")
        try await fixture.mailbox.append(IMAPSessionMessages.message(1), to: "Work/Projects")
        let client = IMAPSessionDriver(fixture.mailbox)
        #expect(try await client.run("a SUBSCRIBE Work/Projects") == ["a OK SUBSCRIBE completed"])
        #expect(try await client.run("b UNSUBSCRIBE Junk") == ["b OK UNSUBSCRIBE completed"])
        #expect(try await client.run("c SUBSCRIBE Nowhere") == ["c NO [NONEXISTENT] no such mailbox"])
        // RFC 5258 section 5's example shape: ("CHILDINFO" ("SUBSCRIBED")) on a parent that is not subscribed.
        #expect(try await client.run("d LIST (SUBSCRIBED RECURSIVEMATCH) \"\" %") == [
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX", "* LIST (\\HasNoChildren \\Archive \\Subscribed) \"/\" Archive",
            "* LIST (\\HasNoChildren \\Drafts \\Subscribed) \"/\" Drafts", "* LIST (\\HasNoChildren \\Sent \\Subscribed) \"/\" Sent",
            "* LIST (\\HasNoChildren \\Trash \\Subscribed) \"/\" Trash", "* LIST (\\HasChildren) \"/\" Work (\"CHILDINFO\" (\"SUBSCRIBED\"))",
            "d OK LIST completed",
        ])
        #expect(try await client.run("e LIST (SPECIAL-USE) \"\" *") == Array(Self.defaultFolders.dropFirst()) + ["e OK LIST completed"])
        #expect(try await client.run("f LIST \"\" Work/* RETURN (SUBSCRIBED STATUS (MESSAGES UNSEEN))") == [
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" Work/Projects", "* STATUS Work/Projects (MESSAGES 1 UNSEEN 1)", "f OK LIST completed",
        ])
        #expect(try await client.run("g LIST (RECURSIVEMATCH) \"\" *") == ["g BAD RECURSIVEMATCH needs another selection option"])
        #expect(try await client.run("h LSUB \"\" *") == [
            "* LSUB () \"/\" INBOX", "* LSUB () \"/\" Archive", "* LSUB () \"/\" Drafts", "* LSUB () \"/\" Sent", "* LSUB () \"/\" Trash",
            "* LSUB () \"/\" Work/Projects", "h OK LSUB completed",
        ])
        #expect(try await client.run("i LSUB \"\" W%") == ["* LSUB (\\Noselect) \"/\" Work", "i OK LSUB completed"])
    }

    @Test("RENAME moves a folder with its children; RENAME INBOX moves its messages and leaves INBOX empty (RFC 9051 section 6.3.6)", arguments: IMAPSessionMailboxKind.allCases)
    func rename(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try kind.make()
        try await fixture.mailbox.createFolder("Work")
        try await fixture.mailbox.createFolder("Work/Projects")
        try await fixture.mailbox.append(IMAPSessionMessages.message(1), to: "INBOX")
        let validity = try await fixture.mailbox.status(of: "Work/Projects").uidValidity
        let client = IMAPSessionDriver(fixture.mailbox)
        #expect(try await client.run("a RENAME Work Play") == ["a OK RENAME completed"])
        #expect(try await fixture.mailbox.status(of: "Play/Projects").uidValidity == validity)
        #expect(try await client.run("b RENAME Play Sent") == ["b NO [ALREADYEXISTS] mailbox already exists"])
        #expect(try await client.run("c RENAME Nowhere Else") == ["c NO [NONEXISTENT] no such mailbox"])
        #expect(try await client.run("d RENAME INBOX \"Old Mail\"") == ["d OK RENAME completed"])
        #expect(try await fixture.mailbox.status(of: "INBOX").messageCount == 0)
        #expect(try await fixture.mailbox.status(of: "Old Mail").messageCount == 1)
        #expect(try await client.run("e DELETE Play") == ["e OK DELETE completed"])
        #expect(try await fixture.mailbox.folders().contains { $0.name == "Play/Projects" })
        #expect(try await client.run("f DELETE INBOX") == ["f NO [CANNOT] INBOX cannot be deleted"])
        #expect(try await client.run("g DELETE Play") == ["g NO [NONEXISTENT] no such mailbox"])
    }

    @Test("STATUS: every attribute from the model; HIGHESTMODSEQ; NAMESPACE", arguments: IMAPSessionMailboxKind.allCases)
    func status(kind: IMAPSessionMailboxKind) async throws {
        let fixture = try kind.make(quota: MailboxQuota(maxMessageBytes: 4_096))
        let first = IMAPSessionMessages.message(1)
        let second = IMAPSessionMessages.message(2)
        try await fixture.mailbox.append(first, to: "INBOX", flags: [.seen, .deleted], keywords: [], internalDate: Date())
        try await fixture.mailbox.append(second, to: "INBOX")
        // Seen by an earlier session: not \Recent (IMAPSessionRecentTests covers \Recent).
        _ = try await fixture.mailbox.claimAllRecent(in: "INBOX")
        let status = try await fixture.mailbox.status(of: "INBOX")
        let client = IMAPSessionDriver(fixture.mailbox)
        #expect(try await client.run("a STATUS inbox (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ APPENDLIMIT)") == [
            "* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UIDVALIDITY \(status.uidValidity) UNSEEN 1 DELETED 1 SIZE \(first.count + second.count) RECENT 0 HIGHESTMODSEQ \(status.highestModSeq) APPENDLIMIT 4096)",
            "a OK STATUS completed",
        ])
        #expect(try await client.run("b STATUS Nowhere (MESSAGES)") == ["b NO [NONEXISTENT] no such mailbox"])
        #expect(try await client.run("c NAMESPACE") == ["* NAMESPACE ((\"\" \"/\")) NIL NIL", "c OK NAMESPACE completed"])
    }

    @Test("Mailbox names: modified UTF-7 for IMAP4rev1 clients, UTF-8 after ENABLE UTF8=ACCEPT (RFC 6855)")
    func names() async throws {
        let mailbox = InMemoryMailbox()
        let client = IMAPSessionDriver(mailbox)
        #expect(try await client.run("a CREATE Gr&APYA3w-e") == ["a OK CREATE completed"])
        #expect(try await mailbox.folders().contains { $0.name == "Größe" })
        #expect(try await client.run("b LIST \"\" Gr*") == ["* LIST (\\HasNoChildren) \"/\" Gr&APYA3w-e", "b OK LIST completed"])
        _ = try await client.run("c ENABLE UTF8=ACCEPT")
        #expect(try await client.run("d LIST \"\" Gr*") == ["* LIST (\\HasNoChildren) \"/\" \"Größe\"", "d OK LIST completed"])
    }
}
