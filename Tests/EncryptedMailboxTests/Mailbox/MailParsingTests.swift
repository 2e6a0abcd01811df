@testable import EncryptedMailbox
import Foundation
import Testing

@Suite("Header parsing, dates, UID sets and the query syntax")
struct MailParsingTests {
    @Test("RFC 5322 dates, obsolete forms included", arguments: [
        ("Tue, 3 Nov 2026 10:15:00 +0100", 1_793_697_300),
        ("3 Nov 2026 09:15 GMT", 1_793_697_300),
        ("Tue,  3 Nov 26 04:15:00 EST", 1_793_697_300),
        ("Tue, 03 Nov 2026 09:15:00 +0000 (UTC)", 1_793_697_300),
        ("Nov 3 2026 09:15:00 +0000", 1_793_697_300),
        ("Thu, 1 Jan 1970 00:00:00 -0000", 0),
        ("Mon, 29 Feb 2016 23:59:60 +0000", 1_456_790_399),
    ])
    func dates(text: String, seconds: Int) {
        #expect(MailDateParser.parse(text) == Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    @Test("Unparsable dates give nil", arguments: [
        "", "yesterday", "32 Jan 2026 10:00", "1 Foo 2026 10:00", "1 Jan 2026 25:00", "1 Jan 99999999999999 10:00", "1 Jan -5 10:00",
    ])
    func badDates(text: String) {
        #expect(MailDateParser.parse(text) == nil)
    }

    @Test("Encoded words: B and Q, charsets, split characters, malformed words kept")
    func encodedWords() {
        #expect(EncodedWordDecoder.decode("=?UTF-8?B?w6k=?=") == "é")
        #expect(EncodedWordDecoder.decode("=?utf-8?q?a_b=3Dc?=") == "a b=c")
        #expect(EncodedWordDecoder.decode("=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?=") == "€")
        #expect(EncodedWordDecoder.decode("=?iso-8859-15?q?=A4?=") == "€")
        #expect(EncodedWordDecoder.decode("=?windows-1252?q?=80?=") == "€")
        #expect(EncodedWordDecoder.decode("=?shift_jis?B?k/qWew==?=") == "日本")
        #expect(EncodedWordDecoder.decode("=?x-unknown?q?plain?=") == "plain")
        #expect(EncodedWordDecoder.decode("a =?utf-8?q?b?= c") == "a b c")
        #expect(EncodedWordDecoder.decode("=?utf-8*en?q?lang?=") == "lang")
        #expect(EncodedWordDecoder.decode("=?utf-8?x?bad?=") == "=?utf-8?x?bad?=")
        #expect(EncodedWordDecoder.decode("=?utf-8?q?has space?=") == "=?utf-8?q?has space?=")
        #expect(EncodedWordDecoder.decode("=?broken") == "=?broken")
    }

    @Test("Header blocks unfold, skip junk lines and find the body")
    func headerBlock() {
        let bytes = Array("From mbox line\nSubject: one\n  two\r\nbroken line\n X-Empty:\nX-Empty:\n\nbody".utf8)
        let header = HeaderBlock(bytes[...])
        #expect(header.first("subject") == "one  two")
        #expect(header.all("x-empty") == [""])
        #expect(Array(bytes[header.end...]) == Array("body".utf8))
        #expect(HeaderBlock.messageIDs(in: "<a@b> (comment) <c@d>") == ["a@b", "c@d"])
        #expect(HeaderBlock.messageIDs(in: "bare@id") == ["bare@id"])
        let parameters = HeaderBlock.parameters(of: "multipart/Mixed; boundary=\"a;b\"; name*0=x; name*1=y")
        #expect(parameters.main == "multipart/mixed" && parameters.parameters["boundary"] == "a;b" && parameters.parameters["name"] == "xy")
    }

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

    @Test("Body text comes from text parts only, HTML without tags, transfer encodings undone")
    func bodyText() {
        let message = Array(
            """
            Content-Type: multipart/alternative; boundary=x

            --x
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: base64

            SGVsbG8gd29ybGQ=
            --x
            Content-Type: text/html

            <html><style>p { color: red }</style><p>Caf&eacute; &amp; <b>bold</b></p><script>var hidden = 1</script></html>
            --x
            Content-Type: image/png

            iVBORw0KGgo=
            --x--
            """.utf8)
        let parsed = MessageParser.parse(message)
        #expect(parsed.bodyText.contains("Hello world"))
        #expect(parsed.bodyText.contains("Café &") && parsed.bodyText.contains("bold"))
        #expect(!parsed.bodyText.contains("color") && !parsed.bodyText.contains("hidden") && !parsed.bodyText.contains("<p>"))
        #expect(!parsed.bodyText.contains("iVBOR"))
        #expect(!parsed.envelope.hasAttachment)
        #expect(MessageParser.decodingEntities("Caf&eacute; &#233;t&#xE9; &amp;amp; &bogus; & &#xZZ; &#1114112;") == "Café été &amp; &bogus; & &#xZZ; &#1114112;")
    }

    @Test("Base subjects drop reply and forward marks and list tags (RFC 5256 2.1)", arguments: [
        ("Re: hello", "hello"), ("RE: Re[2]: Fwd:  hello  world (fwd)", "hello world"), ("[PATCH] fix it", "fix it"),
        ("[fwd: Re: news]", "news"), ("[only]", "[only]"), ("Re:", ""), ("Réponse", "réponse"), ("fwd(x)", "fwd(x)"),
    ])
    func baseSubjects(subject: String, base: String) {
        #expect(BaseSubject.of(subject) == base)
    }
}
