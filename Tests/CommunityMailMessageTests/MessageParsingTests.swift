@testable import CommunityMailMessage
import Foundation
import Testing

@Suite("Header parsing, dates, encoded words, body text and mbox")
struct MessageParsingTests {
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
        let content = MailMessage(message).textContent()
        #expect(content.text.contains("Hello world"))
        #expect(content.text.contains("Café &") && content.text.contains("bold"))
        #expect(!content.text.contains("color") && !content.text.contains("hidden") && !content.text.contains("<p>"))
        #expect(!content.text.contains("iVBOR"))
        #expect(!content.hasAttachment)
        #expect(MIMEWalker.decodingEntities("Caf&eacute; &#233;t&#xE9; &amp;amp; &bogus; & &#xZZ; &#1114112;") == "Café été &amp; &bogus; & &#xZZ; &#1114112;")
    }

    @Test("MIME parts stop at the limit and say whether more follow; without one, all are returned")
    func mimePartsLimit() {
        let boundary = Array("--b".utf8)
        // Two million delimiter lines (8 MB): sliced whole, two million parts.
        let delimiters = Array(repeating: Array("--b\n".utf8), count: 2_000_000).flatMap { $0 }
        let capped = MIMEWalker.parts(of: delimiters[...], boundary: boundary, limit: 10)
        #expect(capped.parts.count == 10 && capped.more)
        #expect(capped.parts.allSatisfy { $0.isEmpty })
        let few = Array("preamble\r\n--b\r\none\r\n--b\r\ntwo\r\n--b\r\nthree\r\n--b--\r\nepilogue\r\n".utf8)[...]
        let all = MIMEWalker.parts(of: few, boundary: boundary)
        #expect(all.parts.map { String(decoding: $0, as: UTF8.self) } == ["one", "two", "three"] && !all.more)
        for limit in [-1, 0, 1, 2] {
            let some = MIMEWalker.parts(of: few, boundary: boundary, limit: limit)
            #expect(some.parts.count == max(1, limit) && some.more)
            #expect(some.parts.elementsEqual(all.parts.prefix(max(1, limit))))
        }
        #expect(MIMEWalker.parts(of: few, boundary: boundary, limit: 3) == all)
        // A body ending right after the delimiter that ends the last part: no part follows.
        let ending = Array("--b\none\n--b\ntwo\n--b\n".utf8)[...]
        #expect(MIMEWalker.parts(of: ending, boundary: boundary).parts.count == 2)
        #expect(MIMEWalker.parts(of: ending, boundary: boundary, limit: 2).more == false)
        #expect(MIMEWalker.parts(of: ending, boundary: boundary, limit: 1).more)
    }

    @Test("mboxrd quoting survives From lines, quoted From lines, CRLF and a missing final newline")
    func mboxrdQuoting() throws {
        let messages = [
            MboxMessage(content: Array("Subject: a\n\nFrom here\n>From there\n>>From everywhere\nFromage\n".utf8), sender: "a@x", date: Date(timeIntervalSince1970: 86_400 * 365)),
            MboxMessage(content: Array("Subject: b\r\n\r\nFrom crlf\r\n".utf8), sender: "b@x", date: Date(timeIntervalSince1970: 1_000_000_000)),
            MboxMessage(content: Array("Subject: c\n\nno newline".utf8), sender: "", date: nil),
        ]
        let file = MboxFormat.write(messages)
        let text = String(decoding: file, as: UTF8.self)
        #expect(text.contains("\n>From here\n>>From there\n>>>From everywhere\nFromage\n"))
        #expect(text.hasPrefix("From a@x Fri Jan  1 00:00:00 1971\n"))
        #expect(text.contains("From b@x Sun Sep  9 01:46:40 2001\n"))
        #expect(text.contains("From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"))
        let read = try MboxFormat.read(file)
        #expect(read.count == 3)
        #expect(read[0] == messages[0] && read[1] == messages[1])
        #expect(read[2].content == messages[2].content + [0x0a])
        #expect(MboxFormat.write(read) == file)
        #expect(throws: MailMessageError.invalidMbox) { try MboxFormat.read(Array("Subject: not mbox\n".utf8)) }
        #expect(try MboxFormat.read([]).isEmpty)
        let absurd = try MboxFormat.read(Array("From a@x Mon Jan  1 00:00:00 99999999999999\n\nbody\n".utf8))
        #expect(absurd.count == 1 && absurd[0].date == nil && absurd[0].sender == "a@x")
        #expect(MboxFormat.envelopeSender(of: Array("From: \"A B\" <ab@example.org>\n\n".utf8)) == "ab@example.org")
        #expect(MboxFormat.envelopeSender(of: Array("Return-Path: <>\nFrom: nobody\n\n".utf8)) == "MAILER-DAEMON")
    }
}
