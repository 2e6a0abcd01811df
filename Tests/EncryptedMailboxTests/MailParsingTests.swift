@testable import EncryptedMailbox
import Foundation
import Testing

@Suite("UID sets, the query syntax and base subjects")
struct MailParsingTests {
    @Test("UID sets parse IMAP syntax and resolve *")
    func uidSets() throws {
        let set = try UIDSet(parsing: "7,1:3,9:*,5:4")
        #expect(set.resolved(largest: 12) == [1...5, 7...7, 9...12])
        #expect(set.resolved(largest: 0) == [1...5, 7...7])
        #expect(set.description == "7,1:3,9:*,5:4")
        #expect(UIDSet([5, 1, 2, 3, 9]).description == "1:3,5,9")
        for bad in ["", "0", "1:", "a", "1,,2", "1:2:3", "-1", "4294967296"] {
            #expect(throws: MailboxError.invalidUIDSet) { try UIDSet(parsing: bad) }
        }
    }

    @Test("The query syntax parses terms, OR, NOT, groups and quotes")
    func querySyntax() throws {
        #expect(try SearchQuery(parsing: "from:alice") == .header(.from, "alice"))
        #expect(try SearchQuery(parsing: "subject:\"a b\" -is:seen") == .and([.header(.subject, "a b"), .not(.flags(.seen))]))
        #expect(try SearchQuery(parsing: "a OR b c") == .or([.text("a"), .and([.text("b"), .text("c")])]))
        #expect(try SearchQuery(parsing: "NOT (a OR b)") == .not(.or([.text("a"), .text("b")])))
        #expect(try SearchQuery(parsing: "\"OR\"") == .text("OR"))
        #expect(try SearchQuery(parsing: "is:unanswered has:attachment larger:10") == .and([.not(.flags(.answered)), .hasAttachment, .larger(10)]))
        #expect(try SearchQuery(parsing: "header:List-Id:ubuntu") == .headerField("List-Id", "ubuntu"))
        #expect(try SearchQuery(parsing: "header:X-Flag:") == .headerField("X-Flag", ""))
        #expect(try SearchQuery(parsing: "since:2026-01-02") == .receivedSince(Date(timeIntervalSince1970: 1_767_312_000)))
        for bad in ["", "(a", "a)", "OR a", "a OR", "nope:x", "larger:x", "since:2026-13-01", "is:blue", "has:wings", "\"open", "uid:0", "from:", "header:nocolon", "header::x", "since:99999999999-01-01"] {
            #expect(throws: MailboxError.invalidQuery, "\(bad)") { try SearchQuery(parsing: bad) }
        }
    }

    @Test("Base subjects drop reply and forward marks and list tags (RFC 5256 2.1)", arguments: [
        ("Re: hello", "hello"), ("RE: Re[2]: Fwd:  hello  world (fwd)", "hello world"), ("[PATCH] fix it", "fix it"),
        ("[fwd: Re: news]", "news"), ("[only]", "[only]"), ("Re:", ""), ("Réponse", "réponse"), ("fwd(x)", "fwd(x)"),
    ])
    func baseSubjects(subject: String, base: String) {
        #expect(BaseSubject.of(subject) == base)
    }
}
