/// Messages whose ENVELOPE and BODYSTRUCTURE are tricky, shared by the suites that check
/// them against the RFC and against Dovecot.
enum IMAPStructureCorpus {
    static func crlf(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            if byte == 0x0a { bytes.append(0x0d) }
            bytes.append(byte)
        }
        return bytes
    }

    static let messages: [(name: String, bytes: [UInt8])] = [
        ("no content type", crlf("Subject: x\nMessage-ID: <c1@test>\n\nHello\nWorld\n")),
        (
            "alternative inside mixed",
            crlf(
                """
                From: a@example.org
                Message-ID: <c2@test>
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
        ),
        (
            "embedded message",
            crlf(
                """
                Message-ID: <c3@test>
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
        ),
        (
            "digest",
            crlf(
                """
                Message-ID: <c4@test>
                Content-Type: multipart/digest; boundary=d

                --d

                Subject: one

                1
                --d
                Content-Type: text/plain

                two
                --d--

                """)
        ),
        (
            "addresses",
            crlf(
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
        ),
        (
            "uppercase types and parameters",
            crlf(
                """
                Message-ID: <c6@test>
                Date: Mon, 7 Feb 1994 21:52:25 -0800
                Content-Type: TEXT/HTML; CHARSET="UTF-8"; Format=Flowed
                Content-Transfer-Encoding: 8BIT
                Content-Disposition: INLINE

                <b>x</b>
                """)
        ),
        (
            "quoted names and empty entries",
            crlf(
                """
                Message-ID: <c7@test>
                From: "Quoted \\"Name\\"" <a@b.c>
                To: a@b.c, , c@d.e
                Cc: Undisclosed recipients:;
                Bcc: localpart

                x
                """)
        ),
        ("header only", crlf("Message-ID: <c8@test>\nSubject: no body\n")),
        (
            "unterminated multipart",
            crlf(
                """
                Message-ID: <c9@test>
                Content-Type: multipart/mixed; boundary=u

                --u
                Content-Type: text/plain; charset=us-ascii

                cut off here

                """)
        ),
        (
            "rfc 2231 parameters",
            crlf(
                """
                Message-ID: <c10@test>
                Content-Type: application/octet-stream; name*=utf-8''%E2%82%AC.txt
                Content-Disposition: attachment; filename*0="long"; filename*1="name.txt"
                Content-Transfer-Encoding: base64

                AAAA
                """)
        ),
        (
            "bare line feeds",
            Array("Message-ID: <c11@test>\nContent-Type: multipart/alternative; boundary=lf\n\n--lf\nContent-Type: text/plain\n\none\ntwo\n--lf\nContent-Type: text/html\n\n<i>x</i>\n--lf--\n".utf8)
        ),
        (
            "message inside message",
            crlf(
                """
                Message-ID: <c12@test>
                Subject: outer
                Content-Type: message/rfc822

                Subject: middle
                From: m@example.org
                Content-Type: multipart/alternative; boundary="in"

                --in
                Content-Type: text/plain; charset=us-ascii; format=flowed

                plain
                --in
                Content-Type: text/html; charset=us-ascii

                <p>html</p>
                --in--

                """)
        ),
        (
            "eight-bit header",
            crlf("Message-ID: <c13@test>\nFrom: Jörg Müller <joerg@example.de>\nSubject: Grüße aus Köln\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGrüße\n")
        ),
        (
            "comments in content type",
            crlf(
                """
                Message-ID: <c14@test>
                Content-Type: text/plain (plain text); charset=us-ascii (the default)
                Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
                Content-Language: en
                Content-Disposition: inline; size=4

                abc

                """)
        ),
        (
            "multipart without boundary",
            crlf("Message-ID: <c15@test>\nContent-Type: multipart/mixed\n\nno parts here\n")
        ),
        (
            "rfc 5322 appendix a addresses",
            crlf(
                """
                Message-ID: <c16@test>
                From: Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>
                To: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;
                Cc: "Mary Smith: Personal Account" <smith@home.example>, Joe Q. Public <john.q.public@example.com>
                Reply-To: Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>
                Bcc:(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;
                Subject: a long subject
                	folded with a tab
                  and spaces

                x

                """)
        ),
    ]
}
