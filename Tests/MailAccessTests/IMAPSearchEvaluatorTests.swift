import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// Every SEARCH key on a small corpus with the UID sets RFC 9051 section 6.4.4 (and RFC
/// 3501, RFC 7162, RFC 5182) gives, the responses of RFC 4731 and RFC 9051 section 7.3,
/// over the encrypted SQLiteMailbox and the in-memory one.
@Suite struct IMAPSearchEvaluatorTests {
    typealias Kind = IMAPFetchTestMailbox.Kind

    struct Message {
        var bytes: [UInt8]
        var flags: MessageFlags = []
        var keywords: [String] = []
        /// Seconds after 2024-03-10 00:00:00 UTC.
        var received: Int = 0
    }

    static let day = 1_710_028_800  // 2024-03-10 00:00:00 UTC

    static func crlf(_ text: String) -> [UInt8] { IMAPFetchCorpus.crlf(text) }

    /// UIDs 1...8 (later expunges leave gaps in some tests).
    static let messages: [Message] = [
        Message(
            bytes: crlf("From: Alice Smith <alice@example.org>\nTo: bob@example.org\nSubject: Lunch plans\nDate: Sun, 10 Mar 2024 09:00:00 +0000\n\nShall we meet at noon?\n"),
            flags: [.seen], received: 0),
        Message(
            bytes: crlf("From: bob@example.org\nTo: alice@example.org\nCc: carol@example.net\nSubject: Re: Lunch plans\nDate: Sun, 10 Mar 2024 23:30:00 -0500\nIn-Reply-To: <l1@example.org>\n\nNoon works. Zebra crossing at the corner.\n"),
            flags: [.seen, .answered], keywords: ["$Label1"], received: 86_399),
        Message(
            bytes: crlf("From: =?utf-8?q?Ren=C3=A9e?= <renee@example.fr>\nTo: team@example.org\nBcc: boss@example.org\nSubject: =?utf-8?b?UsOpc3Vtw6k=?=\nDate: Mon, 11 Mar 2024 01:00:00 +0200\nX-Priority: 1 (Highest)\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nVm9pbMOgIGxlIHLDqXN1bcOpIGR1IHByb2pldC4=\n"),
            flags: [.flagged], keywords: ["Project"], received: 86_400),
        Message(
            bytes: crlf("From: dave@example.com\nSubject: Draft\n\nunfinished\n"), flags: [.draft], received: 2 * 86_400 + 5),
        Message(
            bytes: crlf("From: eve@example.com\nTo: alice@example.org\nSubject: offer\nDate: 12 Mar 2024 10:00:00 GMT\nContent-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n<p>Special off=\ner: 50% =E2=82=AC</p>\n--m\nContent-Type: application/pdf; name=terms.pdf\nContent-Transfer-Encoding: base64\n\nc2VjcmV0IHRlcm1z\n--m--\n"),
            flags: [.deleted, .seen], received: 3 * 86_400),
        Message(bytes: crlf("Subject: big\n\n" + String(repeating: "filler line of text\n", count: 100)), received: 4 * 86_400),
        Message(
            bytes: crlf("From: frank@example.com\nSubject: fwd\nContent-Type: message/rfc822\n\nFrom: grace@example.com\nSubject: the original\n\nnested words\n"),
            flags: [.seen, .flagged], keywords: ["$label1", "Work"], received: 5 * 86_400),
        Message(bytes: crlf("From: nobody\nSubject: CAFÉ Straße ﬁle\n\ncafé with Straße, and a ﬁle\n"), received: 6 * 86_400 + 43_200),
    ]

    func mailbox(_ kind: Kind) async throws -> IMAPFetchTestMailbox {
        let made = try IMAPFetchTestMailbox.empty(kind)
        for message in Self.messages {
            try await made.mailbox.append(
                message.bytes, to: "INBOX", flags: message.flags, keywords: message.keywords,
                internalDate: Date(timeIntervalSince1970: TimeInterval(Self.day + message.received)))
        }
        return made
    }

    func search(_ box: IMAPFetchTestMailbox, _ keys: String, uids: [UInt32]? = nil, saved: [UInt32]? = nil, recent: Set<UInt32> = [])
        async throws -> [UInt32]
    {
        let command = try #require(IMAPFetchTestMailbox.search(keys), "\(keys) does not parse")
        var sequence = uids ?? []
        if uids == nil { sequence = try await box.uids() }
        var evaluator = IMAPSearchEvaluator(mailbox: box.mailbox, folder: "INBOX", uids: sequence, savedResult: saved)
        evaluator.recentUIDs = recent
        return try await evaluator.matchingUIDs(command)
    }

    static let expectations: [(String, [UInt32])] = [
        ("ALL", [1, 2, 3, 4, 5, 6, 7, 8]),
        ("ANSWERED", [2]), ("UNANSWERED", [1, 3, 4, 5, 6, 7, 8]),
        ("DELETED", [5]), ("UNDELETED", [1, 2, 3, 4, 6, 7, 8]),
        ("DRAFT", [4]), ("UNDRAFT", [1, 2, 3, 5, 6, 7, 8]),
        ("FLAGGED", [3, 7]), ("UNFLAGGED", [1, 2, 4, 5, 6, 8]),
        ("SEEN", [1, 2, 5, 7]), ("UNSEEN", [3, 4, 6, 8]),
        // Keywords are case-insensitive (RFC 9051 section 2.3.2).
        ("KEYWORD $Label1", [2, 7]), ("KEYWORD project", [3]), ("UNKEYWORD $LABEL1", [1, 3, 4, 5, 6, 8]), ("KEYWORD Missing", []),
        // Header strings: case-insensitive substrings of the decoded field.
        ("FROM alice", [1]), ("FROM EXAMPLE.COM", [4, 5, 7]), ("CHARSET UTF-8 FROM {6+}\r\nrenée", [3]), ("FROM \"Smith <alice\"", [1]),
        ("TO alice@example.org", [2, 5]), ("CC carol", [2]), ("CC \"\"", [2]), ("BCC boss", [3]), ("BCC \"\"", [3]),
        ("SUBJECT lunch", [1, 2]), ("CHARSET UTF-8 SUBJECT {8+}\r\nrésumé", [3]), ("SUBJECT \"RE: \"", [2]), ("SUBJECT \"\"", [1, 2, 3, 4, 5, 6, 7, 8]),
        ("HEADER X-Priority highest", [3]), ("HEADER x-priority \"\"", [3]), ("HEADER In-Reply-To l1@", [2]),
        ("HEADER Content-Type \"\"", [3, 5, 7]),
        // BODY: decoded text parts (base64, quoted-printable, charset), substrings.
        ("BODY zebra", [2]), ("BODY ZEBRA", [2]), ("BODY ebra", [2]), ("CHARSET UTF-8 BODY {6+}\r\nvoilà", [3]), ("BODY \"special offer\"", [5]),
        ("CHARSET UTF-8 BODY {3+}\r\n€", [5]), ("BODY secret", []), ("BODY \"nested words\"", [7]), ("BODY grace", []), ("BODY \"\"", [1, 2, 3, 4, 5, 6, 7, 8]),
        ("BODY noon", [1, 2]), ("BODY cafe", [8]), ("BODY file", [8]),
        // TEXT: any header (names too, MIME parts' and embedded messages'), or the body.
        ("TEXT grace", [7]), ("TEXT terms.pdf", [5]), ("TEXT zebra", [2]), ("TEXT \"x-priority:\"", [3]), ("TEXT lunch", [1, 2]),
        ("TEXT secret", []),
        // Internal dates: whole days (UTC).
        ("BEFORE 11-Mar-2024", [1, 2]), ("ON 10-Mar-2024", [1, 2]), ("ON 11-Mar-2024", [3]), ("SINCE 12-Mar-2024", [4, 5, 6, 7, 8]),
        ("SINCE 16-Mar-2024", [8]), ("BEFORE 10-Mar-2024", []),
        // Sent dates: the Date field's own date, zone disregarded; none is 1-Jan-1970.
        ("SENTON 10-Mar-2024", [1, 2]), ("SENTON 11-Mar-2024", [3]), ("SENTBEFORE 11-Mar-2024", [1, 2, 4, 6, 7, 8]),
        ("SENTSINCE 11-Mar-2024", [3, 5]), ("SENTON 12-Mar-2024", [5]), ("SENTON 1-Jan-1970", [4, 6, 7, 8]),
        ("LARGER 1000", [6]), ("SMALLER 60", [4]), ("SMALLER 80", [4, 8]), ("LARGER 100000", []),
        ("UID 2:4", [2, 3, 4]), ("UID 4:2", [2, 3, 4]), ("UID 7:*", [7, 8]), ("UID *", [8]), ("UID 9:*", [8]), ("UID 100", []),
        ("1:3", [1, 2, 3]), ("*", [8]), ("2,4,6:7", [2, 4, 6, 7]),
        ("NOT SEEN", [3, 4, 6, 8]), ("OR DRAFT FLAGGED", [3, 4, 7]), ("SEEN FLAGGED", [7]), ("(SEEN) (NOT FLAGGED)", [1, 2, 5]),
        ("OR BODY zebra SUBJECT draft", [2, 4]), ("NOT (OR BODY zebra TEXT grace)", [1, 3, 4, 5, 6, 8]),
        ("SEEN NOT BODY noon", [5, 7]), ("OR (SENTON 11-Mar-2024) UID 1", [1, 3]), ("NOT NOT NOT DELETED", [1, 2, 3, 4, 6, 7, 8]),
        ("CHARSET UTF-8 SUBJECT {8+}\r\nRésumé", [3]), ("CHARSET US-ASCII FROM bob", [2]),
    ]

    @Test(arguments: Kind.allCases)
    func everyKey(kind: Kind) async throws {
        let box = try await mailbox(kind)
        for (keys, expected) in Self.expectations {
            #expect(try await search(box, keys) == expected, "\(keys)")
        }
    }

    @Test(arguments: Kind.allCases)
    func sequenceNumbersAndRecent(kind: Kind) async throws {
        let box = try await mailbox(kind)
        // The session knows UIDs 2, 3, 5, 8 (others expunged or not yet announced).
        let session: [UInt32] = [2, 3, 5, 8]
        #expect(try await search(box, "ALL", uids: session) == session)
        #expect(try await search(box, "2:3", uids: session) == [3, 5])
        #expect(try await search(box, "*", uids: session) == [8])
        #expect(try await search(box, "3:*", uids: session) == [5, 8])
        #expect(try await search(box, "UID 4:*", uids: session) == [5, 8])
        #expect(try await search(box, "UID *", uids: session) == [8])
        #expect(try await search(box, "SEEN", uids: session) == [2, 5])
        #expect(try await search(box, "OR 1 BODY noon", uids: session) == [2])
        #expect(try await search(box, "ALL", uids: []) == [])
        #expect(try await search(box, "*", uids: []) == [])
        // $: the saved result; none saved is the empty set (RFC 5182 section 2.1).
        #expect(try await search(box, "$", saved: [3, 4, 20]) == [3, 4])
        #expect(try await search(box, "UID $ SEEN", saved: [1, 3, 5]) == [1, 5])
        #expect(try await search(box, "$", saved: nil) == [])
        // RECENT, NEW (recent and unseen), OLD (IMAP4rev1).
        #expect(try await search(box, "RECENT", recent: [4, 5]) == [4, 5])
        #expect(try await search(box, "NEW", recent: [4, 5]) == [4])
        #expect(try await search(box, "OLD", recent: [4, 5]) == [1, 2, 3, 6, 7, 8])
        #expect(try await search(box, "RECENT") == [])
        // A long UID set (more ranges than the index writes inline).
        let odd = (0..<40).map { String(2 * $0 + 1) }.joined(separator: ",")
        #expect(try await search(box, "UID \(odd)") == [1, 3, 5, 7])
        #expect(try await search(box, "\(odd) BODY noon") == [1])
    }

    @Test(arguments: Kind.allCases)
    func modSeqAndResponses(kind: Kind) async throws {
        let box = try await mailbox(kind)
        let before = try await box.mailbox.status(of: "INBOX").highestModSeq
        _ = try await box.mailbox.store(.add([.flagged], keywords: []), on: UIDSet([1, 6]), in: "INBOX")
        let after = try await box.mailbox.status(of: "INBOX").highestModSeq
        let uids = try await box.uids()
        let evaluator = IMAPSearchEvaluator(mailbox: box.mailbox, folder: "INBOX", uids: uids, savedResult: nil)
        let command = try #require(IMAPFetchTestMailbox.search("MODSEQ \(before + 1)"))
        let result = try await evaluator.search(command)
        #expect(result == IMAPSearchResult(uids: [1, 6], highestModSeq: after))
        func line(_ data: IMAPResponseData?) -> String? {
            data.map { IMAPTestHelpers.string(IMAPResponseEncoder().encode(.untagged($0))) }
        }
        // IMAP4rev1 SEARCH with MODSEQ (RFC 7162 section 3.1.5).
        #expect(line(evaluator.response(for: result.uids, of: command, uid: true, tag: "a", highestModSeq: result.highestModSeq)) == "* SEARCH 1 6 (MODSEQ \(after))\r\n")
        // Message sequence numbers for SEARCH, UIDs for UID SEARCH.
        let partial = IMAPSearchEvaluator(mailbox: box.mailbox, folder: "INBOX", uids: [2, 4, 6, 8], savedResult: nil)
        let flagged = try #require(IMAPFetchTestMailbox.search("FLAGGED"))
        #expect(line(partial.response(for: [6, 8], of: flagged, uid: false, tag: "a", highestModSeq: nil)) == "* SEARCH 3 4\r\n")
        #expect(line(partial.response(for: [], of: flagged, uid: false, tag: "a", highestModSeq: nil)) == "* SEARCH\r\n")
        // ESEARCH (RFC 4731 section 3.1's examples).
        let minCount = try #require(IMAPFetchTestMailbox.search("RETURN (MIN COUNT) FLAGGED"))
        #expect(line(partial.response(for: [4, 6, 8], of: minCount, uid: false, tag: "A282", highestModSeq: nil)) == "* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n")
        let all = try #require(IMAPFetchTestMailbox.search("RETURN () FLAGGED"))
        #expect(line(evaluator.response(for: [2, 10, 11], of: all, uid: true, tag: "A283", highestModSeq: nil)) == "* ESEARCH (TAG \"A283\") UID ALL 2,10:11\r\n")
        let every = try #require(IMAPFetchTestMailbox.search("RETURN (MIN MAX ALL COUNT) FLAGGED"))
        #expect(line(evaluator.response(for: [], of: every, uid: true, tag: "A284", highestModSeq: nil)) == "* ESEARCH (TAG \"A284\") UID COUNT 0\r\n")
        #expect(
            line(evaluator.response(for: [3, 5, 7], of: every, uid: true, tag: "t", highestModSeq: nil))
                == "* ESEARCH (TAG \"t\") UID MIN 3 MAX 7 ALL 3,5,7 COUNT 3\r\n")
        let modSeqESearch = try #require(IMAPFetchTestMailbox.search("RETURN (COUNT) MODSEQ 1"))
        #expect(line(evaluator.response(for: [1], of: modSeqESearch, uid: true, tag: "t", highestModSeq: 42)) == "* ESEARCH (TAG \"t\") UID COUNT 1 MODSEQ 42\r\n")
        // SAVE alone: no ESEARCH (RFC 5182 section 2.1).
        let save = try #require(IMAPFetchTestMailbox.search("RETURN (SAVE) FLAGGED"))
        #expect(evaluator.response(for: [3], of: save, uid: true, tag: "t", highestModSeq: nil) == nil)
        let saveMin = try #require(IMAPFetchTestMailbox.search("RETURN (SAVE MIN) FLAGGED"))
        #expect(line(evaluator.response(for: [3, 7], of: saveMin, uid: true, tag: "t", highestModSeq: nil)) == "* ESEARCH (TAG \"t\") UID MIN 3\r\n")
    }

    @Test(arguments: Kind.allCases)
    func decodedTextIsFoundWhereTheStoredBytesLackIt(kind: Kind) async throws {
        // Each needle stands in no stored byte sequence, only in the decoded text: the cheap
        // test on stored bytes must not turn these away.
        let box = try IMAPFetchTestMailbox.empty(kind)
        for text in [
            "Subject: =?utf-8?q?hidden=5Fword?=\n\nx\n",
            "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\naGlkZGVuX3dvcmQ=\n",
            "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nhidden=\n_wo=72d\n",
            "Content-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: text/plain;\n charset=us-ascii\nContent-transfer-encoding:\n BASE64\n\naGlkZGVuX3dvcmQ=\n--q--\n",
            "Subject: plain\n\nh\u{EF}dden_word\n",
            "Subject: hidden_word\n\nthe control case\n",
            "Subject: nothing here\n\nhidden word\n",
        ] {
            try await box.mailbox.append(IMAPFetchCorpus.crlf(text), to: "INBOX")
        }
        #expect(try await box.search("TEXT hidden_word") == [1, 2, 3, 4, 6])
        #expect(try await box.search("BODY hidden_word") == [2, 3, 4])
        #expect(try await box.search("BODY hidden_w") == [2, 3, 4])
        #expect(try await box.search("BODY \"hidden word\"") == [7])
        #expect(try await box.search("TEXT hidden") == [1, 2, 3, 4, 6, 7])
        #expect(try await box.search("TEXT dden_word") == [1, 2, 3, 4, 5, 6])
    }

    @Test(arguments: Kind.allCases)
    func refusalsAndLimits(kind: Kind) async throws {
        let box = try await mailbox(kind)
        let evaluator = IMAPSearchEvaluator(mailbox: box.mailbox, folder: "INBOX", uids: try await box.uids(), savedResult: nil)
        // CHARSET other than US-ASCII and UTF-8: NO [BADCHARSET (UTF-8 US-ASCII)].
        let latin = IMAPSearchCommand(charset: "ISO-8859-1", key: .all)
        await #expect(throws: IMAPSearchFailure.badCharset) { try await evaluator.matchingUIDs(latin) }
        #expect(
            IMAPSearchFailure.badCharset.response(tag: "a")
                == .tagged(tag: "a", IMAPStatusResponse(status: .no, code: .badCharset(["UTF-8", "US-ASCII"]), text: IMAPSearchFailure.badCharset.error.message)))
        #expect(try await evaluator.matchingUIDs(IMAPSearchCommand(charset: "utf-8", key: .seen)) == [1, 2, 5, 7])
        // Deeper than the index takes (16): matched here instead, same answer.
        var key = IMAPSearchKey.deleted
        for _ in 0..<100 { key = .not(key) }
        #expect(try await evaluator.matchingUIDs(IMAPSearchCommand(key: key)) == [5])
        // More criteria than the index takes (500): matched here.
        let many = IMAPSearchKey.and((0..<600).map { _ in .undeleted } + [.body("noon")])
        #expect(try await evaluator.matchingUIDs(IMAPSearchCommand(key: many)) == [1, 2])
        // Deeper than the evaluator's limit: NO [LIMIT], nothing searched.
        for _ in 0..<300 { key = .not(key) }
        await #expect(throws: IMAPSearchFailure.tooDeep) { try await evaluator.matchingUIDs(IMAPSearchCommand(key: key)) }
    }
}
