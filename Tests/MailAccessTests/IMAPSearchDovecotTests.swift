import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// SEARCH side by side with Dovecot 2.3: every key of RFC 3501 section 6.4.4 (and nested
/// NOT/OR/lists, sequence sets, CHARSET) over ``IMAPFetchCorpus``, appended to both with the
/// same flags, keywords and internal dates: the UID sets are equal, over the encrypted
/// SQLiteMailbox and the in-memory one. In Dovecot's session every message is `\Recent`;
/// ours is told the same.
@Suite struct IMAPSearchDovecotTests {
    typealias Key = IMAPFetchDovecotProbe.SearchKey

    static let keys: [Key] = [
        "ALL", "ANSWERED", "DELETED", "DRAFT", "FLAGGED", "SEEN", "UNANSWERED", "UNDELETED", "UNDRAFT", "UNFLAGGED", "UNSEEN",
        "NEW", "OLD", "RECENT", "NOT RECENT", "KEYWORD $Label1", "KEYWORD Project", "UNKEYWORD Project", "UNKEYWORD $Label1",
        "KEYWORD Unused", "BCC hidden", "BCC \"\"", "CC dave", "CC \"\"", "FROM carol", "FROM \"doe, john\"", "FROM \"<john\"",
        "FROM example", "FROM \"\"", "TO joerg", "TO \"=?utf-8\"", "TO a@example.org", "SUBJECT time", "SUBJECT ROOT",
        "SUBJECT \"\"", "HEADER X-Custom-Thing value", "HEADER X-Custom-Thing \"\"", "HEADER Message-ID f1@test",
        "HEADER Content-Type multipart", "HEADER content-transfer-encoding BASE64", "BODY zebra", "BODY Zebra",
        "BODY zebras", "BODY \"soft-broken long\"", "BODY \"soft-broken lo\"", "BODY cafe", "BODY bodyword", "BODY amp",
        "BODY datawo", "BODY innerheader", "BODY embeddedsubj", "BODY \"\"", "BODY \"level two = text\"", "BODY \"level two =3D\"",
        "BODY \"deja\"", "BODY resume", "BODY hello", "BODY \"outer text\"", "BODY \"See attached\"", "BODY HTML", "BODY inner",
        "TEXT secretfile", "TEXT innerheader", "TEXT partheaderword", "TEXT x-custom", "TEXT \"subject: qp\"", "TEXT xylophone",
        "TEXT zebra", "TEXT \"level two\"", "TEXT embeddedsubj", "TEXT \"level one\"", "TEXT inner", "TEXT joerg",
        "BEFORE 3-Jan-2024", "ON 3-Jan-2024", "SINCE 5-Jan-2024", "ON 1-Jan-2024", "BEFORE 1-Jan-2024", "SINCE 1-Jan-2030",
        "SENTBEFORE 1-Jan-2000", "SENTON 7-Feb-1994", "SENTON 8-Feb-1994", "SENTON 1-Feb-2022", "SENTON 31-Jan-2022",
        "SENTSINCE 1-Mar-2024", "SENTON 3-Mar-2024", "SENTSINCE 1-Jan-1970", "SENTON 1-Jan-1970",
        "LARGER 500", "SMALLER 300", "LARGER 0", "SMALLER 100000",
        "UID 3:5", "UID 20:*", "UID *", "UID 5:3,9", "UID 1000:2000", "1:3", "2,4,6", "*", "25:*", "NOT 1:10", "5:2",
        "OR SEEN FLAGGED", "OR BODY zebra SUBJECT mixed", "NOT (SEEN OR ANSWERED DRAFT)", "(FROM carol) (BODY bodyword)",
        "OR (KEYWORD $Label1 BODY zebra) (NOT SEEN)", "UNSEEN BODY zebra", "DELETED TEXT zebra", "NOT TEXT zebra",
        "NOT BODY zebra", "OR NOT SEEN NOT BODY hello", "OR (SENTON 7-Feb-1994) (UID 1:3)", "NOT (OR SUBJECT root OR BODY zebra 4:6)",
        "CHARSET UTF-8 ALL", "CHARSET US-ASCII BODY zebra", "SEEN NOT NOT SEEN", "OR OR SEEN DRAFT OR DELETED 1",
        Key(text: "BODY", literal: "über"), Key(text: "BODY", literal: "café"), Key(text: "BODY", literal: "CAFÉ"),
        Key(text: "BODY", literal: "Straße"), Key(text: "BODY", literal: "déjà"), Key(text: "SUBJECT", literal: "café"),
        Key(text: "FROM", literal: "Jörg"), Key(text: "TO", literal: "jörg"), Key(text: "TEXT", literal: "grüße"),
        Key(text: "SUBJECT", literal: "Köln"), Key(text: "BODY", literal: "résumé"),
    ]

    @Test(.enabled(if: TestPeers.shouldRun(IMAPFetchDovecotProbe.available)), arguments: IMAPFetchTestMailbox.Kind.allCases)
    func uidSetsEqualDovecots(kind: IMAPFetchTestMailbox.Kind) async throws {
        let dovecot = try await IMAPFetchDovecotProbe.run(fetches: [], searches: Self.keys)
        let ours = try await IMAPFetchTestMailbox.corpus(kind)
        let all = try await ours.uids()
        #expect(all.count == IMAPFetchCorpus.entries.count)
        var nonEmpty = 0
        for key in Self.keys {
            let theirs = try #require(dovecot.search[key.name], "\(key.name): no answer from Dovecot")
            #expect(theirs.status == "OK", "\(key.name): Dovecot said \(theirs.status)")
            let mine = try await ours.search(key.commandLine, recent: Set(all))
            #expect(mine == theirs.uids, "\(key.name): ours \(mine), Dovecot's \(theirs.uids)")
            if !theirs.uids.isEmpty && theirs.uids.count < all.count { nonEmpty += 1 }
        }
        // The corpus tells the keys apart: most select some messages but not all.
        #expect(nonEmpty > Self.keys.count / 2)
    }
}

extension IMAPFetchDovecotProbe.SearchKey: ExpressibleByStringLiteral {
    init(stringLiteral value: String) { self.init(text: value, literal: nil) }
}
