import EncryptedMailbox
import Foundation

/// Messages for the FETCH and SEARCH suites: ``IMAPStructureCorpus`` (MIME shapes) and more
/// (base64 and quoted-printable parts, 8-bit bodies, nested message/rfc822, an unknown
/// transfer encoding, broken header lines, dates in far zones, words to search for), each
/// with the flags, keywords and internal date it is stored with.
enum IMAPFetchCorpus {
    struct Entry: Sendable {
        var name: String
        var bytes: [UInt8]
        var flags: MessageFlags
        var keywords: [String]
        /// Seconds since 1970 (UTC).
        var internalDate: Int
    }

    static func crlf(_ text: String) -> [UInt8] { IMAPStructureCorpus.crlf(text) }

    /// 2024-01-01 00:00:00 UTC.
    static let january2024 = 1_704_067_200

    static let extra: [(name: String, bytes: [UInt8])] = [
        (
            "base64 root",
            crlf("Subject: b64 root\nMessage-ID: <f1@test>\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nSGVsbG8gV8O2cmxkISBaZWJyYSBjcm9zc2luZy4=\n")
        ),
        (
            "quoted-printable latin-1 root",
            crlf("Subject: qp root\nMessage-ID: <f2@test>\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nCaf=E9 soft=\nbreak and zebras\n")
        ),
        (
            "attachment, embedded message, html",
            crlf(
                """
                Subject: mixed bag
                Message-ID: <f3@test>
                From: Carol <carol@example.net>
                Content-Type: multipart/mixed; boundary=x

                --x
                Content-Type: application/octet-stream; name=secretfile.bin
                Content-Transfer-Encoding: base64

                AAECAwBkYXRhd29yZA==
                --x
                Content-Type: message/rfc822

                Subject: embeddedsubj
                X-Embedded: innerheader

                embeddedbody text
                --x
                Content-Type: text/html
                X-Part-Header: partheaderword

                <p>html&amp;stuff bodyword</p>
                --x--

                """)
        ),
        (
            "addresses, custom field, late evening date",
            Array(
                "From: \"Doe, John\" <john.doe@example.org>\r\nTo: =?utf-8?q?J=C3=B6rg?= <joerg@example.de>\r\nCc: Dave <dave@example.com>\r\nBcc: hidden@example.org\r\nSubject: =?iso-8859-1?q?caf=E9?= time\r\nDate: Mon, 7 Feb 1994 23:52:25 -0800\r\nMessage-ID: <f4@test>\r\nX-Custom-Thing: Value\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain body with Straße and CAFÉ\r\n"
                    .utf8)
        ),
        ("no date", crlf("Subject: no date\nMessage-ID: <f5@test>\n\nxylophone\n")),
        (
            "message in message in multipart",
            crlf(
                """
                Subject: deep
                Message-ID: <f6@test>
                Date: Tue, 1 Feb 2022 00:30:00 +1400
                Content-Type: multipart/mixed; boundary=o

                --o
                Content-Type: text/plain

                outer text
                --o
                Content-Type: message/rfc822

                Subject: level one
                Content-Type: multipart/mixed; boundary=i

                --i
                Content-Type: text/plain; charset=us-ascii

                level one text
                --i
                Content-Type: message/rfc822

                Subject: level two
                Content-Transfer-Encoding: quoted-printable

                level two =3D text
                --i--
                --o--

                """)
        ),
        ("unknown transfer encoding", crlf("Subject: uu\nMessage-ID: <f7@test>\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n")),
        ("broken header line, bare LF", Array("Message-ID: <f8@test>\nContent-Type: text/plain\nbroken line\nX-A: 1\nSubject: lf\n\nbody\nline\n".utf8)),
        (
            "eight-bit latin-1 body",
            Array("Subject: latin\r\nMessage-ID: <f9@test>\r\nDate: 3 Mar 2024 12:00:00 GMT\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".utf8)
                + [0x64, 0xE9, 0x6A, 0xE0] + Array(" vu, R".utf8) + [0xE9] + Array("sum".utf8) + [0xE9, 0x0D, 0x0A]
        ),
        (
            "alternative with base64 and quoted-printable parts",
            crlf(
                """
                Subject: alternative
                Message-ID: <f10@test>
                To: group: a@example.org, b@example.org;
                Content-Type: multipart/alternative; boundary="alt"

                --alt
                Content-Type: text/plain; charset=utf-8
                Content-Transfer-Encoding: base64

                QSBaZWJyYSBpbiB0aGUgYmFzZTY0IHBhcnQ=
                --alt
                Content-Type: text/html; charset=utf-8
                Content-Transfer-Encoding: quoted-printable

                <div>soft-broken lo=
                ng word =C3=BCber</div>
                --alt--

                """)
        ),
        ("long body", crlf("Subject: long\nMessage-ID: <f11@test>\n\n" + String(repeating: "0123456789 abcdefghij klmnopqrst uvwxyz\n", count: 120))),
        // Stored as delivered, with mixed line ends: RFC822.SIZE and every section are of
        // the CRLF form, as Dovecot sends them. (No bare CR: imaplib's APPEND makes every
        // CR and LF a CRLF, so Dovecot would never see one; POP3DovecotComparisonTests
        // delivers bare CRs to Dovecot's Maildir.)
        (
            "mixed line ends",
            Array("Subject: mixed ends\r\nMessage-ID: <f12@test>\nFrom: erin@example.org\n\r\nline1\nline2\r\nline3\n\r\nend\n".utf8)
        ),
        (
            "multipart with bare LF and CRLF parts",
            Array(
                ("Subject: mixed parts\nMessage-ID: <f13@test>\nContent-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\n"
                    + "first\npart\n--m\r\nContent-Type: text/plain\r\n\r\nsecond\r\nthird\n--m--\n").utf8)
        ),
    ]

    /// Every message, in append order (UID n is entry n-1), with flags, keywords and dates.
    static let entries: [Entry] = {
        let all = IMAPStructureCorpus.messages + extra
        return all.enumerated().map { index, message in
            var flags: MessageFlags = []
            if index % 2 == 0 { flags.insert(.seen) }
            if index % 3 == 0 { flags.insert(.answered) }
            if index % 4 == 1 { flags.insert(.flagged) }
            if index % 5 == 2 { flags.insert(.deleted) }
            if index % 7 == 3 { flags.insert(.draft) }
            var keywords: [String] = []
            if index % 3 == 1 { keywords.append("$Label1") }
            if index % 4 == 2 { keywords.append("Project") }
            // One day apart, at times that test the day boundary: 00:00:00, 12:00, 23:59:59.
            let seconds = [0, 43_200, 86_399][index % 3]
            return Entry(
                name: message.name, bytes: message.bytes, flags: flags, keywords: keywords,
                internalDate: january2024 + (index / 2) * 86_400 + seconds)
        }
    }()
}
