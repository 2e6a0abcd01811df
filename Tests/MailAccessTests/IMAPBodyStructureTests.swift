import CommunityMailMessage
import Foundation
import MailAccess
import Testing

/// ENVELOPE and BODYSTRUCTURE built from messages' bytes, against strings derived from
/// RFC 9051 section 7.5.2 (and RFC 3501's FETCH example), encoded by the encoder.
@Suite struct IMAPBodyStructureTests {
    func crlf(_ text: String) -> [UInt8] { Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8) }

    func fetch(_ message: [UInt8], _ items: (MailMessage) -> [IMAPFetchItem]) -> String {
        IMAPTestHelpers.string(IMAPResponseEncoder().encode(.untagged(.fetch(1, items(MailMessage(message))))))
    }

    @Test func rfc3501FetchExample() {
        var body = ""
        for line in 0..<91 { body += String(repeating: Character(String(line % 10)), count: 31) + "\r\n" }
        body += String(repeating: "z", count: 23) + "\r\n"
        let header = crlf(
            """
            Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)
            From: Terry Gray <gray@cac.washington.edu>
            Subject: IMAP4rev1 WG mtg summary and minutes
            To: imap@cac.washington.edu
            cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>
            Message-Id: <B27397-0100000@cac.washington.edu>
            MIME-Version: 1.0
            Content-Type: TEXT/PLAIN; CHARSET=US-ASCII
            Content-Transfer-Encoding: 7BIT


            """)
        let message = header + Array(body.utf8)
        #expect(body.utf8.count == 3028)
        let expected =
            "* 1 FETCH (ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" "
            + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) "
            + "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
            + "\"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n"
        let actual = fetch(message) { [.envelope(IMAPEnvelope(message: $0)), .body(IMAPBodyStructure(message: $0))] }
        #expect(actual == expected)
    }

    @Test func missingContentTypeIsTextPlainUSASCII() {
        let message = crlf("Subject: x\n\nHello\nWorld\n")
        #expect(
            fetch(message) { [.bodyStructure(IMAPBodyStructure(message: $0))] }
                == "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 14 2 NIL NIL NIL NIL))\r\n")
        // A Content-Type without a subtype is as good as none (RFC 2045 section 5.2).
        let broken = crlf("Content-Type: garbage\n\nx")
        #expect(
            fetch(broken) { [.body(IMAPBodyStructure(message: $0))] } == "* 1 FETCH (BODY (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0))\r\n")
    }

    @Test func alternativeInsideMixedWithAttachment() {
        let message = crlf(
            """
            From: a@example.org
            Content-Type: multipart/mixed; boundary="outer"

            preamble
            --outer
            Content-Type: multipart/alternative; boundary=inner

            --inner
            Content-Type: text/plain; charset=utf-8

            Hi
            --inner
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            <p>Hi</p>
            --inner--
            --outer
            Content-Type: application/pdf; name="a.pdf"
            Content-Disposition: attachment; filename="a.pdf"
            Content-Transfer-Encoding: base64
            Content-Language: en, de
            Content-Location: http://x/a.pdf
            Content-ID: <id1@x>
            Content-Description: A file

            JVBERi0=
            --outer--
            epilogue

            """)
        #expect(
            fetch(message) { [.bodyStructure(IMAPBodyStructure(message: $0))] }
                == "* 1 FETCH (BODYSTRUCTURE (((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 2 0 NIL NIL NIL NIL)"
                + "(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 9 0 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"inner\") NIL NIL NIL)"
                + "(\"application\" \"pdf\" (\"name\" \"a.pdf\") \"<id1@x>\" \"A file\" \"base64\" 8 NIL (\"attachment\" (\"filename\" \"a.pdf\")) (\"en\" \"de\") \"http://x/a.pdf\")"
                + " \"mixed\" (\"boundary\" \"outer\") NIL NIL NIL))\r\n")
        #expect(
            fetch(message) { [.body(IMAPBodyStructure(message: $0))] }
                == "* 1 FETCH (BODY (((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 2 0)(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 9 0) \"alternative\")"
                + "(\"application\" \"pdf\" (\"name\" \"a.pdf\") \"<id1@x>\" \"A file\" \"base64\" 8) \"mixed\"))\r\n")
    }

    @Test func embeddedMessage() {
        let message = crlf(
            """
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: text/plain

            See attached.
            --b
            Content-Type: message/rfc822

            From: x@y.org
            Subject: inner

            Inner body
            --b--

            """)
        let envelope = "(NIL \"inner\" ((NIL NIL \"x\" \"y.org\")) ((NIL NIL \"x\" \"y.org\")) ((NIL NIL \"x\" \"y.org\")) NIL NIL NIL NIL NIL)"
        #expect(
            fetch(message) { [.bodyStructure(IMAPBodyStructure(message: $0))] }
                == "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 13 0 NIL NIL NIL NIL)"
                + "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 43 \(envelope) (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)"
                + " \"mixed\" (\"boundary\" \"b\") NIL NIL NIL))\r\n")
    }

    @Test func digestPartsDefaultToMessages() {
        let message = crlf(
            """
            Content-Type: multipart/digest; boundary=d

            --d

            Subject: one

            1
            --d--

            """)
        guard case .multipart(let multipart) = IMAPBodyStructure(message: MailMessage(message)), case .single(let part) = multipart.parts.first else {
            Issue.record("a digest is a multipart")
            return
        }
        #expect(part.type == "message")
        #expect(part.subtype == "rfc822")
        guard case .message(let envelope, _, _) = part.kind else {
            Issue.record("a digest part is a message")
            return
        }
        #expect(envelope.subject == "one")
    }

    @Test func encodedWordsGroupsRoutesAndComments() {
        let message = crlf(
            """
            From: =?utf-8?q?J=C3=B6rg?= <joerg@example.de>
            To: undisclosed-recipients:;
            Cc: Friends: "Doe, John" <john@x.org>, jane@y.org (Jane Roe);, <@route.a,@route.b:bob@z.org>
            Subject: =?iso-8859-1?q?caf=E9?= time
            Sender:
            Reply-To: local-only
            In-Reply-To: <a@b>
            Message-ID:
             <folded@example.org>

            x
            """)
        #expect(
            fetch(message) { [.envelope(IMAPEnvelope(message: $0))] }
                == "* 1 FETCH (ENVELOPE (NIL \"=?iso-8859-1?q?caf=E9?= time\" ((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"joerg\" \"example.de\")) "
                + "((\"=?utf-8?q?J=C3=B6rg?=\" NIL \"joerg\" \"example.de\")) ((NIL NIL \"local-only\" \"MISSING_DOMAIN\")) "
                + "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) "
                + "((NIL NIL \"Friends\" NIL)(\"Doe, John\" NIL \"john\" \"x.org\")(\"Jane Roe\" NIL \"jane\" \"y.org\")(NIL NIL NIL NIL)(NIL \"@route.a,@route.b\" \"bob\" \"z.org\")) "
                + "NIL \"<a@b>\" \" <folded@example.org>\"))\r\n")
    }

    @Test func strayClosingBracketsInAddresses() {
        // Found by IMAPFuzzTests: a stray ")" or "]" once stopped the address scan from moving on.
        let message = crlf("From: a) b] <c@d>\nTo: ]x@y, )\n\nx")
        let envelope = IMAPEnvelope(message: MailMessage(message))
        #expect(envelope.from == [IMAPAddress(name: "a) b]", mailbox: "c", host: "d")])
        #expect(envelope.to?.first == IMAPAddress(name: nil, mailbox: "]x", host: "y"))
    }

    @Test func hostileNestingIsBounded() {
        var text = ""
        for depth in 0..<2000 { text += "Content-Type: multipart/mixed; boundary=b\(depth)\r\n\r\n--b\(depth)\r\n" }
        text += "\r\nleaf\r\n"
        let structure = IMAPBodyStructure(message: MailMessage(Array(text.utf8)))
        var depth = 0
        var current = structure
        while case .multipart(let multipart) = current, let first = multipart.parts.first {
            depth += 1
            current = first
        }
        #expect(depth <= IMAPBodyStructure.maximumDepth)
        #expect(IMAPResponseEncoder().encode(.untagged(.fetch(1, [.bodyStructure(structure)]))).count > 0)
    }
}
