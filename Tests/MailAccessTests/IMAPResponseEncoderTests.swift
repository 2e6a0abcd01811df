import MailAccess
import Testing

/// The encoder's output against the RFCs' example responses, byte for byte.
@Suite struct IMAPResponseEncoderTests {
    typealias H = IMAPTestHelpers

    func line(_ response: IMAPResponse, utf8: Bool = false) -> String {
        H.string(IMAPResponseEncoder(utf8: utf8).encode(response))
    }

    func untagged(_ data: IMAPResponseData, utf8: Bool = false) -> String { line(.untagged(data), utf8: utf8) }

    func condition(_ status: IMAPStatus, _ code: IMAPResponseCode?, _ text: String) -> String {
        untagged(.condition(IMAPStatusResponse(status: status, code: code, text: text)))
    }

    @Test func selectResponses() {
        // RFC 3501 section 6.3.1.
        #expect(untagged(.exists(172)) == "* 172 EXISTS\r\n")
        #expect(untagged(.recent(1)) == "* 1 RECENT\r\n")
        #expect(condition(.ok, .unseen(12), "Message 12 is first unseen") == "* OK [UNSEEN 12] Message 12 is first unseen\r\n")
        #expect(condition(.ok, .uidValidity(3_857_529_045), "UIDs valid") == "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n")
        #expect(condition(.ok, .uidNext(4392), "Predicted next UID") == "* OK [UIDNEXT 4392] Predicted next UID\r\n")
        #expect(untagged(.flags(["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"])) == "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n")
        #expect(condition(.ok, .permanentFlags(["\\Deleted", "\\Seen", "\\*"]), "Limited") == "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n")
        #expect(
            line(.tagged(tag: "A142", IMAPStatusResponse(status: .ok, code: .readWrite, text: "SELECT completed")))
                == "A142 OK [READ-WRITE] SELECT completed\r\n")
        #expect(line(.tagged(tag: "A932", IMAPStatusResponse(status: .ok, code: .readOnly, text: "EXAMINE completed"))) == "A932 OK [READ-ONLY] EXAMINE completed\r\n")
        // RFC 7162 sections 3.1.2.1, 3.1.2.2, 3.2.11.
        #expect(condition(.ok, .highestModSeq(715_194_045_007), "Highest") == "* OK [HIGHESTMODSEQ 715194045007] Highest\r\n")
        #expect(condition(.ok, .noModSeq, "Sorry, this mailbox format doesn't support modsequences") == "* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n")
        #expect(condition(.ok, .closed, "Previous mailbox is now closed") == "* OK [CLOSED] Previous mailbox is now closed\r\n")
        #expect(untagged(.expunge(3)) == "* 3 EXPUNGE\r\n")
        #expect(
            untagged(.vanished(earlier: true, uids: H.set([(41, 41), (43, 116), (118, 118), (120, 211), (214, 540)])))
                == "* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n")
        #expect(untagged(.vanished(earlier: false, uids: H.set([(405, 405), (407, 407), (410, 410), (425, 425)]))) == "* VANISHED 405,407,410,425\r\n")
    }

    @Test func taggedCodes() {
        func tagged(_ tag: String, _ status: IMAPStatus, _ code: IMAPResponseCode?, _ text: String) -> String {
            line(.tagged(tag: tag, IMAPStatusResponse(status: status, code: code, text: text)))
        }
        // RFC 4315 section 3 and RFC 6851 section 4.
        #expect(tagged("A003", .ok, .appendUID(uidValidity: 38505, uids: H.set([(3955, 3955)])), "APPEND completed") == "A003 OK [APPENDUID 38505 3955] APPEND completed\r\n")
        #expect(
            tagged("A004", .ok, .copyUID(uidValidity: 38505, source: H.set([(304, 304), (319, 320)]), destination: H.set([(3956, 3958)])), "Done")
                == "A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n")
        #expect(tagged("d105", .ok, .modified(H.set([(7, 7), (9, 9)])), "Conditional STORE failed") == "d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n")
        #expect(tagged("A003", .no, .tryCreate, "APPEND error") == "A003 NO [TRYCREATE] APPEND error\r\n")
        #expect(tagged("a", .no, .badCharset(["UTF-8", "US-ASCII"]), "x") == "a NO [BADCHARSET (UTF-8 US-ASCII)] x\r\n")
        #expect(
            tagged("a001", .ok, .capability(["IMAP4rev2", "AUTH=PLAIN"]), "Logged in") == "a001 OK [CAPABILITY IMAP4rev2 AUTH=PLAIN] Logged in\r\n")
        let simple: [(IMAPResponseCode, String)] = [
            (.alert, "ALERT"), (.parse, "PARSE"), (.uidNotSticky, "UIDNOTSTICKY"), (.tooBig, "TOOBIG"), (.limit, "LIMIT"),
            (.overQuota, "OVERQUOTA"), (.authenticationFailed, "AUTHENTICATIONFAILED"), (.unavailable, "UNAVAILABLE"),
            (.nonExistent, "NONEXISTENT"), (.alreadyExists, "ALREADYEXISTS"), (.cannot, "CANNOT"), (.inUse, "INUSE"),
            (.serverBug, "SERVERBUG"), (.clientBug, "CLIENTBUG"), (.noPerm, "NOPERM"), (.expungeIssued, "EXPUNGEISSUED"),
            (.useAttribute, "USEATTR"), (.unknownCTE, "UNKNOWN-CTE"), (.notSaved, "NOTSAVED"), (.other("X-FOO", "bar]baz"), "X-FOO bar baz"),
        ]
        for (code, text) in simple { #expect(tagged("t", .no, code, "x") == "t NO [\(text)] x\r\n") }
        // Text never breaks the line.
        #expect(tagged("t", .bad, nil, "one\r\ntwo") == "t BAD one  two\r\n")
        #expect(untagged(.condition(IMAPStatusResponse(status: .bye, text: "Autologout; idle for too long"))) == "* BYE Autologout; idle for too long\r\n")
    }

    @Test func compactSequenceSets() {
        func text(_ values: [UInt32]) -> String {
            untagged(.esearch(IMAPESearchResponse(tag: "t", uid: true, all: IMAPSequenceSet(compacting: values))))
        }
        // RFC 4731 section 3.1's ALL 2,10:11 from its numbers.
        #expect(text([11, 2, 10]) == "* ESEARCH (TAG \"t\") UID ALL 2,10:11\r\n")
        #expect(text([1, 2, 3, 5, 5, 7, 8, 4_294_967_295]) == "* ESEARCH (TAG \"t\") UID ALL 1:3,5,7:8,4294967295\r\n")
        #expect(IMAPSequenceSet(compacting: []) == .ranges([]))
    }

    @Test func continuations() {
        #expect(line(.continuation(.text("Ready for additional command text"))) == "+ Ready for additional command text\r\n")
        // RFC 9051 section 6.2.2: an empty challenge, and a base64 one.
        #expect(line(.continuation(.challenge([]))) == "+ \r\n")
        #expect(line(.continuation(.challenge(Array("abc".utf8)))) == "+ YWJj\r\n")
    }

    @Test func mailboxData() {
        #expect(untagged(.capability(["IMAP4rev2", "STARTTLS", "AUTH=GSSAPI", "LOGINDISABLED"])) == "* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED\r\n")
        #expect(untagged(.enabled(["CONDSTORE"])) == "* ENABLED CONDSTORE\r\n")
        // RFC 3501 section 7.2.2 and RFC 9051 section 7.3.1.
        #expect(untagged(.list(IMAPListItem(attributes: ["\\Noselect"], delimiter: "/", name: "~/Mail/foo"))) == "* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n")
        #expect(untagged(.list(IMAPListItem(attributes: ["\\Noselect"], delimiter: nil, name: ""))) == "* LIST (\\Noselect) NIL \"\"\r\n")
        #expect(untagged(.lsub(IMAPListItem(attributes: [], delimiter: ".", name: "#news.comp.mail.mime"))) == "* LSUB () \".\" #news.comp.mail.mime\r\n")
        // RFC 5258 section 5.
        #expect(
            untagged(.list(IMAPListItem(attributes: [], delimiter: "/", name: "Foo Bar", childInfo: ["SUBSCRIBED"])))
                == "* LIST () \"/\" \"Foo Bar\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n")
        #expect(
            untagged(.list(IMAPListItem(attributes: [], delimiter: "/", name: "Bar", oldName: "Foo Old")))
                == "* LIST () \"/\" Bar (\"OLDNAME\" (\"Foo Old\"))\r\n")
        // Names go out as modified UTF-7 to IMAP4rev1 clients, UTF-8 once enabled.
        #expect(untagged(.list(IMAPListItem(attributes: [], delimiter: "/", name: "~peter/mail/台北/日本語"))) == "* LIST () \"/\" ~peter/mail/&U,BTFw-/&ZeVnLIqe-\r\n")
        #expect(untagged(.list(IMAPListItem(attributes: [], delimiter: "/", name: "Entwürfe")), utf8: true) == "* LIST () \"/\" \"Entwürfe\"\r\n")
        #expect(untagged(.list(IMAPListItem(attributes: [], delimiter: "/", name: "NIL"))) == "* LIST () \"/\" \"NIL\"\r\n")
        #expect(
            untagged(.status(mailbox: "blurdybloop", values: [IMAPStatusValue(.messages, 231), IMAPStatusValue(.uidNext, 44292)]))
                == "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n")
        #expect(untagged(.search([2, 84, 882], modSeq: nil)) == "* SEARCH 2 84 882\r\n")
        #expect(untagged(.search([], modSeq: nil)) == "* SEARCH\r\n")
        // RFC 7162 section 3.1.5.
        #expect(untagged(.search([2, 5, 6, 7, 11, 12, 18, 19, 20, 23], modSeq: 917_162_500)) == "* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n")
        // RFC 4731 section 3.1.
        #expect(untagged(.esearch(IMAPESearchResponse(tag: "A282", uid: false, min: 2, count: 3))) == "* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n")
        #expect(
            untagged(.esearch(IMAPESearchResponse(tag: "A283", uid: false, all: H.set([(2, 2), (10, 11)])))) == "* ESEARCH (TAG \"A283\") ALL 2,10:11\r\n")
        #expect(untagged(.esearch(IMAPESearchResponse(tag: "A284", uid: true, min: 4, max: 9))) == "* ESEARCH (TAG \"A284\") UID MIN 4 MAX 9\r\n")
        #expect(untagged(.esearch(IMAPESearchResponse(tag: "A285", uid: true))) == "* ESEARCH (TAG \"A285\") UID\r\n")
        // RFC 2971 section 3.3.
        #expect(
            untagged(
                .id([
                    IMAPIDField(name: "name", value: "Cyrus"), IMAPIDField(name: "version", value: "1.5"), IMAPIDField(name: "os", value: "sunos"),
                    IMAPIDField(name: "os-version", value: "5.5"), IMAPIDField(name: "support-url", value: "mailto:cyrus-bugs+@andrew.cmu.edu"),
                ]))
                == "* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" \"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")\r\n")
        #expect(untagged(.id(nil)) == "* ID NIL\r\n")
        // RFC 2342 section 5 and RFC 9208 section 4.
        #expect(untagged(.namespace(personal: [IMAPNamespace(prefix: "", delimiter: "/")], otherUsers: nil, shared: nil)) == "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n")
        #expect(
            untagged(.namespace(personal: [IMAPNamespace(prefix: "", delimiter: "/")], otherUsers: [IMAPNamespace(prefix: "~", delimiter: "/")], shared: [IMAPNamespace(prefix: "#shared/", delimiter: "/")]))
                == "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\"))\r\n")
        #expect(untagged(.quota(root: "", resources: [IMAPQuotaResource(name: "STORAGE", usage: 10, limit: 512)])) == "* QUOTA \"\" (STORAGE 10 512)\r\n")
        #expect(untagged(.quotaRoot(mailbox: "INBOX", roots: [""])) == "* QUOTAROOT INBOX \"\"\r\n")
        #expect(untagged(.quotaRoot(mailbox: "comp.mail.mime", roots: [])) == "* QUOTAROOT comp.mail.mime\r\n")
    }

    @Test func fetchItems() {
        let date = IMAPDateTime(date: IMAPDate(year: 1996, month: 7, day: 17), hour: 2, minute: 44, second: 25, zoneMinutes: -420)
        #expect(
            untagged(.fetch(12, [.flags(["\\Seen"]), .internalDate(date), .rfc822Size(4286), .uid(4827313), .modSeq(12121231000)]))
                == "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 UID 4827313 MODSEQ (12121231000))\r\n")
        let early = IMAPDateTime(date: IMAPDate(year: 2024, month: 1, day: 5), hour: 7, minute: 8, second: 9, zoneMinutes: 330)
        #expect(untagged(.fetch(1, [.internalDate(early)])) == "* 1 FETCH (INTERNALDATE \"05-Jan-2024 07:08:09 +0530\")\r\n")
        #expect(
            untagged(.fetch(2, [.bodySection(IMAPSection(text: .headerFields(["DATE", "FROM"])), origin: nil, data: Array("From: a\r\n\r\n".utf8))]))
                == "* 2 FETCH (BODY[HEADER.FIELDS (DATE FROM)] {11}\r\nFrom: a\r\n\r\n)\r\n")
        // Dovecot echoes header field names uppercased (`BODY[HEADER.FIELDS (SUBJECT MESSAGE-ID)]`).
        #expect(
            untagged(.fetch(1, [.bodySection(IMAPSection(text: .headerFieldsNot(["Subject", "message-id"])), origin: nil, data: Array("\r\n".utf8))]))
                == "* 1 FETCH (BODY[HEADER.FIELDS.NOT (SUBJECT MESSAGE-ID)] {2}\r\n\r\n)\r\n")
        #expect(untagged(.fetch(3, [.bodySection(IMAPSection(part: [1, 2], text: .mime), origin: 0, data: Array("ab".utf8))])) == "* 3 FETCH (BODY[1.2.MIME]<0> {2}\r\nab)\r\n")
        #expect(untagged(.fetch(4, [.bodySection(IMAPSection(), origin: nil, data: nil)])) == "* 4 FETCH (BODY[] NIL)\r\n")
        #expect(untagged(.fetch(5, [.rfc822(Array("x".utf8)), .rfc822Header(nil), .rfc822Text(Array("y".utf8))])) == "* 5 FETCH (RFC822 {1}\r\nx RFC822.HEADER NIL RFC822.TEXT {1}\r\ny)\r\n")
        // RFC 3516: literal8 only when the data holds NUL.
        #expect(untagged(.fetch(6, [.binary(part: [1], origin: nil, data: [0x61, 0x00, 0x62])])) == "* 6 FETCH (BINARY[1] ~{3}\r\na\0b)\r\n")
        #expect(untagged(.fetch(6, [.binary(part: [1], origin: 5, data: [0x61])])) == "* 6 FETCH (BINARY[1]<5> {1}\r\na)\r\n")
        #expect(untagged(.fetch(6, [.binarySize(part: [1, 2], size: 2000)])) == "* 6 FETCH (BINARY.SIZE[1.2] 2000)\r\n")
    }

    @Test func stringForms() {
        // nstring: quoted, or a literal for CR, LF, quote, backslash or 8-bit (as Dovecot 2.3).
        func envelopeDate(_ date: String, utf8: Bool = false) -> String {
            untagged(.fetch(1, [.envelope(IMAPEnvelope(date: date))]), utf8: utf8)
        }
        #expect(envelopeDate("plain") == "* 1 FETCH (ENVELOPE (\"plain\" NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n")
        #expect(envelopeDate("a \"q\" \\ b") == "* 1 FETCH (ENVELOPE ({9}\r\na \"q\" \\ b NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n")
        #expect(envelopeDate("two\r\nlines") == "* 1 FETCH (ENVELOPE ({10}\r\ntwo\r\nlines NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n")
        #expect(envelopeDate("Grüße") == "* 1 FETCH (ENVELOPE ({7}\r\nGrüße NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n")
        // UTF-8 may be quoted once enabled (RFC 9051, RFC 6855).
        #expect(envelopeDate("Grüße", utf8: true) == "* 1 FETCH (ENVELOPE (\"Grüße\" NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n")
        // Subjects and display names are text for people: whitespace collapsed, line breaks
        // dropped, a literal when anything changed.
        func envelopeSubject(_ subject: String) -> String {
            untagged(.fetch(1, [.envelope(IMAPEnvelope(subject: subject))]))
        }
        #expect(envelopeSubject("plain words") == "* 1 FETCH (ENVELOPE (NIL \"plain words\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n")
        #expect(envelopeSubject(" a\tb  c\r\n d ") == "* 1 FETCH (ENVELOPE (NIL {7}\r\na b c d NIL NIL NIL NIL NIL NIL NIL NIL))\r\n")
        #expect(envelopeSubject("  \t ") == "* 1 FETCH (ENVELOPE (NIL \"\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n")
        #expect(envelopeSubject("say \"hi\"") == "* 1 FETCH (ENVELOPE (NIL {8}\r\nsay \"hi\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n")
    }
}
