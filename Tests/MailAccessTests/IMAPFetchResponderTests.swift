import CommunityMailMessage
import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// Every FETCH item and section form against bytes derived from RFC 9051 section 6.4.5
/// and 7.5.2, RFC 3501's RFC822 items and RFC 3516 BINARY, over the encrypted SQLiteMailbox
/// and the in-memory one.
@Suite struct IMAPFetchResponderTests {
    typealias Kind = IMAPFetchTestMailbox.Kind

    /// The message of RFC 9051 section 6.4.5's part-numbering example, each body a marker
    /// naming its section. (No boundary is the prefix of another: RFC 2046 section 5.1.1.)
    static let rfcExample = IMAPFetchCorpus.crlf(
        """
        From: a@example.org
        Subject: parts
        Content-Type: MULTIPART/MIXED; boundary=b0

        --b0
        Content-Type: TEXT/PLAIN

        body 1
        --b0
        Content-Type: APPLICATION/OCTET-STREAM
        Content-Transfer-Encoding: base64

        Ym9keSAy
        --b0
        Content-Type: MESSAGE/RFC822

        Subject: three
        Content-Type: MULTIPART/MIXED; boundary=c3

        --c3
        Content-Type: TEXT/PLAIN

        body 3.1
        --c3
        Content-Type: APPLICATION/OCTET-STREAM

        body 3.2
        --c3--
        --b0
        Content-Type: MULTIPART/MIXED; boundary=d4

        --d4
        Content-Type: IMAGE/GIF

        body 4.1
        --d4
        Content-Type: MESSAGE/RFC822

        Subject: four two
        Content-Type: MULTIPART/MIXED; boundary=e42

        --e42
        Content-Type: TEXT/PLAIN

        body 4.2.1
        --e42
        Content-Type: MULTIPART/ALTERNATIVE; boundary=f422

        --f422
        Content-Type: TEXT/PLAIN

        body 4.2.2.1
        --f422
        Content-Type: TEXT/RICHTEXT

        body 4.2.2.2
        --f422--
        --e42--
        --d4--
        --b0--

        """)

    /// A mailbox of `kind` holding `messages` (UIDs 1...).
    func mailbox(_ kind: Kind, _ messages: [[UInt8]], flags: MessageFlags = [], keywords: [String] = []) async throws -> IMAPFetchTestMailbox {
        let made = try IMAPFetchTestMailbox.empty(kind)
        for message in messages {
            try await made.mailbox.append(message, to: "INBOX", flags: flags, keywords: keywords, internalDate: Date(timeIntervalSince1970: 1_704_067_200))
        }
        return made
    }

    func text(_ data: [UInt8]?) -> String? { data.map { String(decoding: $0, as: UTF8.self) } }

    @Test(arguments: Kind.allCases)
    func partNumbersOfTheRFCExample(kind: Kind) async throws {
        let box = try await mailbox(kind, [Self.rfcExample])
        let leaves = [
            "1": "body 1", "2": "Ym9keSAy", "3.1": "body 3.1", "3.2": "body 3.2", "4.1": "body 4.1", "4.2.1": "body 4.2.1",
            "4.2.2.1": "body 4.2.2.1", "4.2.2.2": "body 4.2.2.2",
        ]
        for (section, body) in leaves {
            #expect(text(try await box.data("BODY.PEEK[\(section)]", uid: 1)) == body, "\(section)")
        }
        #expect(text(try await box.data("BODY.PEEK[3.HEADER]", uid: 1)) == "Subject: three\r\nContent-Type: MULTIPART/MIXED; boundary=c3\r\n\r\n")
        #expect(text(try await box.data("BODY.PEEK[4.2.HEADER]", uid: 1)) == "Subject: four two\r\nContent-Type: MULTIPART/MIXED; boundary=e42\r\n\r\n")
        #expect(text(try await box.data("BODY.PEEK[4.1.MIME]", uid: 1)) == "Content-Type: IMAGE/GIF\r\n\r\n")
        #expect(text(try await box.data("BODY.PEEK[3.TEXT]", uid: 1))?.hasPrefix("--c3\r\nContent-Type: TEXT/PLAIN\r\n\r\nbody 3.1\r\n") == true)
        #expect(text(try await box.data("BODY.PEEK[4.2.TEXT]", uid: 1))?.hasSuffix("body 4.2.2.2\r\n--f422--\r\n--e42--\r\n") == true)
        #expect(text(try await box.data("BODY.PEEK[HEADER]", uid: 1)) == "From: a@example.org\r\nSubject: parts\r\nContent-Type: MULTIPART/MIXED; boundary=b0\r\n\r\n")
        #expect(text(try await box.data("BODY.PEEK[TEXT]", uid: 1))?.hasPrefix("--b0\r\nContent-Type: TEXT/PLAIN\r\n") == true)
        // 4.2 is the whole encapsulated message; 3 too.
        #expect(text(try await box.data("BODY.PEEK[3]", uid: 1))?.hasPrefix("Subject: three\r\n") == true)
        // Parts that do not exist are empty strings; so are HEADER/TEXT of a part that is no message.
        for missing in ["5", "1.1.1", "3.3", "4.3", "4.2.2.3", "4.2.3", "1.HEADER", "4.1.TEXT", "2.2"] {
            #expect(try await box.data("BODY.PEEK[\(missing)]", uid: 1) == [], "\(missing)")
        }
        // A part that is not multipart has part 1, itself.
        #expect(text(try await box.data("BODY.PEEK[1.1]", uid: 1)) == "body 1")
        // BINARY undoes base64 (RFC 3516).
        #expect(text(try await box.data("BINARY.PEEK[2]", uid: 1)) == "body 2")
        let size = try await box.items("BINARY.SIZE[2]", uid: 1).get()
        #expect(size == [.binarySize(part: [2], size: 6)])
    }

    @Test(arguments: Kind.allCases)
    func headerFields(kind: Kind) async throws {
        let message = IMAPFetchCorpus.crlf("Date: Mon, 7 Feb 1994 21:52:25 -0800\nFrom: Fred <fred@example.com>\nSubject: afternoon\n meeting\nTo: mooch@owatagu.example.net\nfrom: second@example.com\n\nbody\n")
        let box = try await mailbox(kind, [message])
        // RFC 9051: the matching fields (names case-insensitive), folding kept, then the blank line.
        #expect(
            text(try await box.data("BODY.PEEK[HEADER.FIELDS (date FROM)]", uid: 1))
                == "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nFrom: Fred <fred@example.com>\r\nfrom: second@example.com\r\n\r\n")
        #expect(
            text(try await box.data("BODY.PEEK[HEADER.FIELDS.NOT (Date From To)]", uid: 1)) == "Subject: afternoon\r\n meeting\r\n\r\n")
        #expect(text(try await box.data("BODY.PEEK[HEADER.FIELDS (X-None)]", uid: 1)) == "\r\n")
        // The label echoes the names uppercased (as Dovecot does).
        let items = try await box.items("BODY.PEEK[HEADER.FIELDS (date FROM)]<0.6>", uid: 1).get()
        let line = IMAPTestHelpers.string(IMAPResponseEncoder().encode(.untagged(.fetch(1, items))))
        #expect(line == "* 1 FETCH (BODY[HEADER.FIELDS (DATE FROM)]<0> {6}\r\nDate: )\r\n")
    }

    @Test(arguments: Kind.allCases)
    func partialFetches(kind: Kind) async throws {
        let message = IMAPFetchCorpus.crlf("Subject: p\n\n0123456789\n")
        let box = try await mailbox(kind, [message])
        let whole = try #require(try await box.data("BODY.PEEK[]", uid: 1))
        #expect(whole == message)
        // <origin.octets>: at most octets from origin; the response names the origin only.
        let items = try await box.items("BODY.PEEK[]<3.5>", uid: 1).get()
        #expect(items == [.bodySection(IMAPSection(), origin: 3, data: Array(message[3..<8]))])
        #expect(try await box.data("BODY.PEEK[TEXT]<4.100>", uid: 1) == Array("456789\r\n".utf8))
        // At and beyond the end: the empty string, with the origin.
        #expect(try await box.items("BODY.PEEK[]<\(message.count).1>", uid: 1).get() == [.bodySection(IMAPSection(), origin: UInt64(message.count), data: [])])
        #expect(try await box.data("BODY.PEEK[]<\(message.count - 1).10>", uid: 1) == [0x0a])
        #expect(try await box.data("BODY.PEEK[]<4294967295.4294967295>", uid: 1) == [])
        #expect(try await box.data("BINARY.PEEK[1]<2.3>", uid: 1) == Array("234".utf8))
    }

    @Test(arguments: Kind.allCases)
    func bareLineFeedsGoOutAsCRLF(kind: Kind) async throws {
        let message = Array("Subject: lf\nX: 1\n\nline one\nline two\r\nend".utf8)
        let box = try await mailbox(kind, [message])
        #expect(text(try await box.data("BODY.PEEK[]", uid: 1)) == "Subject: lf\r\nX: 1\r\n\r\nline one\r\nline two\r\nend")
        #expect(text(try await box.data("BODY.PEEK[HEADER]", uid: 1)) == "Subject: lf\r\nX: 1\r\n\r\n")
        #expect(text(try await box.data("BODY.PEEK[HEADER.FIELDS (X)]", uid: 1)) == "X: 1\r\n\r\n")
        // Partial offsets count the CRLF form: octet 11 is the CR that the LF became.
        #expect(text(try await box.data("BODY.PEEK[]<9.5>", uid: 1)) == "lf\r\nX")
        #expect(text(try await box.data("RFC822.TEXT", uid: 1)) == "line one\r\nline two\r\nend")
    }

    @Test(arguments: Kind.allCases)
    func metadataItems(kind: Kind) async throws {
        let message = IMAPFetchCorpus.crlf("From: Fred <fred@example.com>\nSubject: hi\nMessage-ID: <m@x>\n\nbody\n")
        let box = try await mailbox(kind, [message], flags: [.seen, .flagged], keywords: ["$Forwarded", "Work"])
        let fetched = try #require(try await box.mailbox.fetch(UIDSet([1]), in: "INBOX", content: .metadata).first)
        let items = try await box.items("FLAGS UID INTERNALDATE RFC822.SIZE MODSEQ", uid: 1).get()
        #expect(
            items == [
                .flags(["\\Seen", "\\Flagged", "$Forwarded", "Work"]), .uid(1),
                .internalDate(IMAPDateTime(date: IMAPDate(year: 2024, month: 1, day: 1), hour: 0, minute: 0, second: 0, zoneMinutes: 0)),
                .rfc822Size(UInt64(message.count)), .modSeq(fetched.modSeq),
            ])
        let line = IMAPTestHelpers.string(IMAPResponseEncoder().encode(.untagged(.fetch(1, Array(items[2...3])))))
        #expect(line == "* 1 FETCH (INTERNALDATE \"01-Jan-2024 00:00:00 +0000\" RFC822.SIZE \(message.count))\r\n")
        let parsed = MailMessage(message)
        #expect(try await box.items("ENVELOPE", uid: 1).get() == [.envelope(IMAPEnvelope(message: parsed))])
        #expect(try await box.items("BODY BODYSTRUCTURE", uid: 1).get() == [.body(IMAPBodyStructure(message: parsed)), .bodyStructure(IMAPBodyStructure(message: parsed))])
        // RFC822, RFC822.HEADER, RFC822.TEXT are BODY[], BODY[HEADER], BODY[TEXT].
        #expect(try await box.items("RFC822", uid: 1).get() == [.rfc822(message)])
        #expect(try await box.items("RFC822.HEADER", uid: 1).get() == [.rfc822Header(try await box.data("BODY.PEEK[HEADER]", uid: 1))])
        #expect(try await box.items("RFC822.TEXT", uid: 1).get() == [.rfc822Text(Array("body\r\n".utf8))])
    }

    @Test(arguments: Kind.allCases)
    func binaryDecodes(kind: Kind) async throws {
        let message = IMAPFetchCorpus.crlf(
            """
            Subject: binary
            Content-Type: multipart/mixed; boundary=z

            --z
            Content-Type: text/plain; charset=iso-8859-1
            Content-Transfer-Encoding: quoted-printable

            Caf=E9 =
            au lait=3D
            --z
            Content-Type: application/octet-stream
            Content-Transfer-Encoding: BASE64

            AAEC/w==
            --z
            Content-Type: application/x-thing
            Content-Transfer-Encoding: x-custom

            ?
            --z--

            """)
        let box = try await mailbox(kind, [message])
        #expect(try await box.data("BINARY.PEEK[1]", uid: 1) == [0x43, 0x61, 0x66, 0xE9, 0x20] + Array("au lait=".utf8))
        #expect(try await box.data("BINARY.PEEK[2]", uid: 1) == [0x00, 0x01, 0x02, 0xFF])
        #expect(try await box.items("BINARY.SIZE[2]", uid: 1).get() == [.binarySize(part: [2], size: 4)])
        // Decoded data with NUL goes as literal8 (RFC 3516 section 4.2).
        let items = try await box.items("BINARY.PEEK[2]", uid: 1).get()
        #expect(IMAPTestHelpers.string(IMAPResponseEncoder().encode(.untagged(.fetch(1, items)))).hasPrefix("* 1 FETCH (BINARY[2] ~{4}\r\n"))
        // An encoding the server does not know: NO [UNKNOWN-CTE] (RFC 3516 section 4.3).
        for item in ["BINARY.PEEK[3]", "BINARY.SIZE[3]", "BINARY[3]", "BINARY.PEEK[]"] {
            guard case .failure(let failure) = try await box.items(item, uid: 1) else {
                Issue.record("\(item) did not fail")
                continue
            }
            #expect(failure == .unknownTransferEncoding)
            #expect(failure.response(tag: "a1") == .tagged(tag: "a1", IMAPStatusResponse(status: .no, code: .unknownCTE, text: failure.error.message)))
        }
        // BODY[] of the same part is as stored.
        #expect(text(try await box.data("BODY.PEEK[2]", uid: 1)) == "AAEC/w==")
    }

    @Test func contentNeededAndSeen() throws {
        func responder(_ items: String) throws -> IMAPFetchResponder {
            IMAPFetchResponder(attributes: try #require(IMAPFetchTestMailbox.attributes(items)))
        }
        #expect(try responder("FLAGS UID INTERNALDATE RFC822.SIZE MODSEQ").contentNeeded == .metadata)
        #expect(try responder("ENVELOPE").contentNeeded == .header)
        #expect(try responder("BODY.PEEK[HEADER.FIELDS (From)] RFC822.HEADER").contentNeeded == .header)
        #expect(try responder("BODY.PEEK[TEXT]").contentNeeded == .text)
        #expect(try responder("RFC822.TEXT ENVELOPE").contentNeeded == .whole)
        #expect(try responder("BODYSTRUCTURE").contentNeeded == .whole)
        #expect(try responder("BODY.PEEK[1.MIME]").contentNeeded == .whole)
        #expect(try responder("BINARY.SIZE[1]").contentNeeded == .whole)
        #expect(try !responder("BODY.PEEK[] BINARY.PEEK[1] RFC822.HEADER FLAGS").setsSeen)
        for item in ["BODY[]", "BODY[1]", "RFC822", "RFC822.TEXT", "BINARY[1]"] {
            #expect(try responder(item).setsSeen, "\(item)")
        }
        // The mailbox asked for less than needed: a server bug, not a crash.
        let message = FetchedMessage(uid: 1, flags: [], keywords: [], internalDate: Date(), modSeq: 1, size: 3, envelope: MessageEnvelope(), content: nil)
        #expect(throws: IMAPFetchFailure.missingContent) { try responder("BODY.PEEK[]").items(for: message) }
        #expect(try responder("UID").items(for: message) == [.uid(1)])
    }

    @Test(arguments: Kind.allCases)
    func headerAndTextAloneComeFromPartialContent(kind: Kind) async throws {
        let message = IMAPFetchCorpus.crlf("Subject: s\nFrom: f@x\n\nthe text\n")
        let box = try await mailbox(kind, [message])
        // .header and .text content: the same bytes as from the whole message.
        #expect(text(try await box.data("BODY.PEEK[HEADER.FIELDS.NOT (From)]", uid: 1)) == "Subject: s\r\n\r\n")
        #expect(text(try await box.data("BODY.PEEK[TEXT]<4.3>", uid: 1)) == "tex")
        #expect(try await box.items("ENVELOPE", uid: 1).get() == [.envelope(IMAPEnvelope(message: MailMessage(message)))])
    }
}
