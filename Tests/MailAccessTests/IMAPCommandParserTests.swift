import Foundation
import MailAccess
import Testing

/// Every command form parsed from the RFCs' example lines (RFC 9051, RFC 3501 and the
/// extensions'), each fed whole and byte by byte with the same result.
@Suite struct IMAPCommandParserTests {
    typealias H = IMAPTestHelpers

    @Test func commandsWithoutArguments() {
        let table: [(String, IMAPCommand.Kind)] = [
            ("abcd CAPABILITY", .capability), ("a002 NOOP", .noop), ("A023 LOGOUT", .logout), ("a001 STARTTLS", .startTLS),
            ("A001 NAMESPACE", .namespace), ("a047 IDLE", .idle), ("FXXZ CHECK", .check), ("A341 CLOSE", .close),
            ("A342 UNSELECT", .unselect), ("A202 EXPUNGE", .expunge), ("a noop", .noop),
        ]
        for (line, kind) in table { #expect(H.kind(line) == kind, "\(line)") }
        #expect(H.command("abcd CAPABILITY")?.tag == "abcd")
    }

    @Test func authenticateAndLogin() {
        // RFC 4959 section 3: SASL-IR.
        #expect(
            H.kind("a01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=")
                == .authenticate(mechanism: "PLAIN", initialResponse: IMAPSecret(Array("test\0test\0test".utf8))))
        #expect(H.kind("a01 AUTHENTICATE PLAIN =") == .authenticate(mechanism: "PLAIN", initialResponse: IMAPSecret([])))
        #expect(H.kind("A001 AUTHENTICATE GSSAPI") == .authenticate(mechanism: "GSSAPI", initialResponse: nil))
        #expect(H.failure("a01 AUTHENTICATE PLAIN %%%")?.tag == "a01")
        #expect(H.kind("a001 LOGIN SMITH SESAME") == .login(username: "SMITH", password: IMAPSecret(Array("SESAME".utf8))))
        #expect(H.kind("a LOGIN \"fred \\\"x\\\"\" {3}\r\np w") == .login(username: "fred \"x\"", password: IMAPSecret(Array("p w".utf8))))
        // A password never shows in a description.
        #expect(!String(describing: H.kind("a001 LOGIN SMITH SESAME")).contains("SESAME"))
    }

    @Test func saslContinuationLines() {
        var parser = IMAPCommandParser()
        parser.append(Array("a AUTHENTICATE PLAIN\r\nAGZyZWQAc2VjcmV0\r\nb AUTHENTICATE PLAIN\r\n*\r\n".utf8))
        guard case .command = parser.next() else {
            Issue.record("no command")
            return
        }
        parser.expectAuthenticationResponse()
        #expect(parser.next() == .authenticationResponse(.response(IMAPSecret(Array("\0fred\0secret".utf8)))))
        #expect(parser.next() == .command(IMAPCommand(tag: "b", kind: .authenticate(mechanism: "PLAIN", initialResponse: nil))))
        parser.expectAuthenticationResponse()
        #expect(parser.next() == .authenticationResponse(.cancelled))
        #expect(parser.next() == nil)
    }

    @Test func idleAndDone() {
        var parser = IMAPCommandParser()
        for byte in Array("a047 IDLE\r\nDONE\r\na048 NOOP\r\n".utf8) { parser.append([byte]) }
        #expect(parser.next() == .command(IMAPCommand(tag: "a047", kind: .idle)))
        parser.expectIdleDone()
        #expect(parser.next() == .idleDone)
        #expect(parser.next() == .command(IMAPCommand(tag: "a048", kind: .noop)))
        var other = IMAPCommandParser()
        other.append(Array("a IDLE\r\nb NOOP\r\n".utf8))
        _ = other.next()
        other.expectIdleDone()
        guard case .failure = other.next() else {
            Issue.record("a line other than DONE during IDLE must fail")
            return
        }
    }

    @Test func enableAndID() {
        #expect(H.kind("t2 ENABLE CONDSTORE X-GOOD-IDEA") == .enable(["CONDSTORE", "X-GOOD-IDEA"]))
        #expect(H.kind("a ENABLE IMAP4rev2 UTF8=ACCEPT") == .enable(["IMAP4rev2", "UTF8=ACCEPT"]))
        #expect(H.kind("a042 ID NIL") == .id(nil))
        #expect(
            H.kind("a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\" \"os\" NIL)")
                == .id([
                    IMAPIDField(name: "name", value: "sodr"), IMAPIDField(name: "version", value: "19.34"),
                    IMAPIDField(name: "vendor", value: "Pink Floyd Music Limited"), IMAPIDField(name: "os", value: nil),
                ]))
        #expect(H.failure("t ENABLE")?.tag == "t")
    }

    @Test func selectAndExamine() {
        #expect(H.kind("A142 SELECT INBOX") == .select(mailbox: "INBOX", parameters: .init()))
        #expect(H.kind("A142 SELECT inbox") == .select(mailbox: "INBOX", parameters: .init()))
        #expect(H.kind("A932 EXAMINE blurdybloop") == .examine(mailbox: "blurdybloop", parameters: .init()))
        #expect(H.kind("a SELECT INBOX (CONDSTORE)") == .select(mailbox: "INBOX", parameters: .init(condStore: true)))
        // RFC 7162 section 3.2.5.
        #expect(
            H.kind("A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))")
                == .select(
                    mailbox: "INBOX",
                    parameters: .init(
                        qresync: .init(
                            uidValidity: 67_890_007, modSeq: 20_050_715_194_045_000,
                            knownUIDs: H.set([(41, 41), (43, 211), (214, 541)])))))
        let long =
            "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 "
            + "15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))"
        guard case .select(_, let parameters) = H.kind(long), let qresync = parameters.qresync else {
            Issue.record("QRESYNC with seq-match-data did not parse")
            return
        }
        #expect(qresync.knownUIDs == H.set([(1, 29997)]))
        #expect(qresync.sequenceMatch?.sequenceNumbers == H.set([(5000, 5000), (7500, 7500), (9000, 9000), (9990, 9999)]))
        guard case .ranges(let uids)? = qresync.sequenceMatch?.uids else {
            Issue.record("no UIDs")
            return
        }
        #expect(uids.count == 13)
        #expect(
            H.kind("a SELECT INBOX (QRESYNC (1 2 (1:2 3:4)) CONDSTORE)")
                == .select(
                    mailbox: "INBOX",
                    parameters: .init(
                        condStore: true,
                        qresync: .init(
                            uidValidity: 1, modSeq: 2, sequenceMatch: .init(sequenceNumbers: H.set([(1, 2)]), uids: H.set([(3, 4)]))))))
        #expect(H.failure("a SELECT INBOX (QRESYNC (0 2))")?.tag == "a")
        #expect(H.failure("a SELECT INBOX (FOO)")?.tag == "a")
    }

    @Test func mailboxManagement() {
        // RFC 6154 section 5.
        #expect(H.kind("t1 CREATE \"Important Messages\" (USE (\\Important))") == .create(mailbox: "Important Messages", specialUse: ["\\Important"]))
        #expect(H.kind("A003 CREATE owatagusiam/") == .create(mailbox: "owatagusiam/", specialUse: []))
        #expect(H.kind("A683 DELETE blurdybloop") == .delete(mailbox: "blurdybloop"))
        #expect(H.kind("A682 RENAME blurdybloop sarasoop") == .rename(from: "blurdybloop", to: "sarasoop"))
        #expect(H.kind("A002 SUBSCRIBE #news.comp.mail.mime") == .subscribe(mailbox: "#news.comp.mail.mime"))
        #expect(H.kind("A002 UNSUBSCRIBE #news.comp.mail.mime") == .unsubscribe(mailbox: "#news.comp.mail.mime"))
        #expect(H.kind("A002 LSUB \"#news.\" \"comp.mail.*\"") == .lsub(reference: "#news.", pattern: "comp.mail.*"))
        // RFC 3501 section 5.1.3: modified UTF-7.
        #expect(H.kind("a SELECT ~peter/mail/&U,BTFw-/&ZeVnLIqe-") == .select(mailbox: "~peter/mail/台北/日本語", parameters: .init()))
        // UTF-8 names once enabled (RFC 6855, RFC 9051).
        #expect(H.kind("a CREATE \"Entwürfe\"", utf8: true) == .create(mailbox: "Entwürfe", specialUse: []))
        #expect(H.failure("a CREATE \"Entwürfe\"")?.tag == "a")
    }

    @Test func list() {
        #expect(H.kind("A101 LIST \"\" \"\"") == .list(IMAPListCommand(reference: "", patterns: [""])))
        #expect(H.kind("A202 LIST ~/Mail/ %") == .list(IMAPListCommand(reference: "~/Mail/", patterns: ["%"])))
        #expect(H.kind("A02 LIST (SUBSCRIBED) \"\" \"*\"") == .list(IMAPListCommand(selectionOptions: [.subscribed], reference: "", patterns: ["*"])))
        #expect(
            H.kind("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)")
                == .list(IMAPListCommand(selectionOptions: [.subscribed, .recursiveMatch], reference: "", patterns: ["%"], returnOptions: [.children])))
        #expect(
            H.kind("A01 LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")")
                == .list(IMAPListCommand(reference: "", patterns: ["INBOX", "Drafts", "Sent/%"])))
        // RFC 5819 and RFC 6154.
        #expect(
            H.kind("A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))")
                == .list(IMAPListCommand(reference: "", patterns: ["%"], returnOptions: [.status([.messages, .unseen])])))
        #expect(H.kind("t3 LIST (SPECIAL-USE) \"\" \"*\"") == .list(IMAPListCommand(selectionOptions: [.specialUse], reference: "", patterns: ["*"])))
        #expect(
            H.kind("t1 LIST \"\" \"%\" RETURN (SPECIAL-USE SUBSCRIBED)")
                == .list(IMAPListCommand(reference: "", patterns: ["%"], returnOptions: [.specialUse, .subscribed])))
        #expect(H.kind("A03 LIST () \"\" \"%\" RETURN ()") == .list(IMAPListCommand(reference: "", patterns: ["%"])))
    }

    @Test func statusAndQuota() {
        #expect(H.kind("A042 STATUS blurdybloop (UIDNEXT MESSAGES)") == .status(mailbox: "blurdybloop", attributes: [.uidNext, .messages]))
        #expect(
            H.kind("a STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ APPENDLIMIT)")
                == .status(mailbox: "INBOX", attributes: IMAPStatusAttribute.allCases))
        #expect(H.failure("a STATUS INBOX (BOGUS)")?.tag == "a")
        #expect(H.failure("a STATUS INBOX ()")?.tag == "a")
        #expect(H.kind("G0001 GETQUOTA \"!partition/sda4\"") == .getQuota(root: "!partition/sda4"))
        #expect(H.kind("G0002 GETQUOTAROOT INBOX") == .getQuotaRoot(mailbox: "INBOX"))
        #expect(H.kind("S0000 SETQUOTA \"\" (STORAGE 512)") == .setQuota(root: "", limits: [IMAPQuotaLimit(resource: "STORAGE", limit: 512)]))
        #expect(H.kind("S0001 SETQUOTA \"\" ()") == .setQuota(root: "", limits: []))
    }

    @Test func append() {
        let message = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nSubject: afternoon meeting\r\n\r\nHello Joe\r\n"
        let count = message.utf8.count
        #expect(
            H.kind("A003 APPEND saved-messages (\\Seen) {\(count)}\r\n\(message)\r\n")
                == .append(mailbox: "saved-messages", messages: [IMAPAppendMessage(flags: ["\\Seen"], data: Array(message.utf8))]))
        let date = IMAPDateTime(date: IMAPDate(year: 1994, month: 2, day: 7), hour: 21, minute: 52, second: 25, zoneMinutes: -480)
        #expect(
            H.kind("A003 APPEND INBOX \" 7-Feb-1994 21:52:25 -0800\" {\(count)+}\r\n\(message)\r\n")
                == .append(mailbox: "INBOX", messages: [IMAPAppendMessage(internalDate: date, data: Array(message.utf8))]))
        #expect(date.instant?.timeIntervalSince1970 == 760_686_745)
        // A logged command shows the size, not the message.
        let logged = String(describing: H.kind("a APPEND INBOX {\(count)+}\r\n\(message)\r\n"))
        #expect(logged.contains("\(count) bytes"))
        #expect(!logged.contains("68, 97, 116"))  // "Dat" as numbers: the bytes are not there
        // literal8 (RFC 3516), MULTIAPPEND (RFC 3502), UTF8 (RFC 6855).
        let binary: [UInt8] = Array("a\0b".utf8)
        #expect(
            H.command(Array("a APPEND INBOX ~{3}\r\n".utf8) + binary + Array(" (\\Flagged) {1+}\r\nx UTF8 (~{1+}\r\ny)\r\n".utf8))?.kind
                == .append(
                    mailbox: "INBOX",
                    messages: [
                        IMAPAppendMessage(data: binary, isBinary: true), IMAPAppendMessage(flags: ["\\Flagged"], data: [UInt8(ascii: "x")]),
                        IMAPAppendMessage(data: [UInt8(ascii: "y")], isBinary: true),
                    ]))
        #expect(H.failure(Array("a APPEND INBOX {3}\r\n".utf8) + binary)?.tag == "a", "NUL needs literal8")
        #expect(H.failure("a APPEND INBOX (\\Seen) \"31-Foo-1994 00:00:00 +0000\" {1+}\r\nx")?.tag == "a")
        #expect(H.failure("a APPEND INBOX")?.tag == "a")
    }

    @Test func expungeCopyMove() {
        #expect(H.kind("A003 UID EXPUNGE 3000:3002") == .uidExpunge(H.set([(3000, 3002)])))
        #expect(H.kind("A003 COPY 2:4 MEETING") == .copy(H.set([(2, 4)]), mailbox: "MEETING", uid: false))
        #expect(H.kind("a UID COPY 4:2 x") == .copy(H.set([(4, 2)]), mailbox: "x", uid: true))
        #expect(
            H.kind("a UID MOVE 42:69,* foo")
                == .move(.ranges([IMAPSequenceRange(.number(42), .number(69)), IMAPSequenceRange(.last, .last)]), mailbox: "foo", uid: true))
        #expect(H.kind("a MOVE $ Trash") == .move(.savedResult, mailbox: "Trash", uid: false))
        #expect(H.failure("a COPY 0 x")?.tag == "a")
        #expect(H.failure("a COPY 4294967296 x")?.tag == "a")
        #expect(IMAPSequenceSet.ranges([IMAPSequenceRange(.number(5), .last)]).contains(7, largest: 9))
    }

    @Test func store() {
        #expect(
            H.kind("A003 STORE 2:4 +FLAGS (\\Deleted)")
                == .store(H.set([(2, 4)]), action: .init(mode: .add, flags: ["\\Deleted"]), unchangedSince: nil, uid: false))
        #expect(
            H.kind("a UID STORE 1 FLAGS.SILENT \\Seen \\Answered $Forwarded")
                == .store(
                    H.set([(1, 1)]), action: .init(mode: .replace, silent: true, flags: ["\\Seen", "\\Answered", "$Forwarded"]),
                    unchangedSince: nil, uid: true))
        // RFC 7162 section 3.1.3.
        #expect(
            H.kind("d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)")
                == .store(
                    H.set([(7, 7), (5, 5), (9, 9)]), action: .init(mode: .add, silent: true, flags: ["\\Deleted"]), unchangedSince: 320_162_338,
                    uid: false))
        #expect(H.kind("a STORE 1 -FLAGS ()") == .store(H.set([(1, 1)]), action: .init(mode: .remove, flags: []), unchangedSince: nil, uid: false))
        #expect(H.failure("a STORE 1 +FLAGX (\\Seen)")?.tag == "a")
    }

    @Test func fetch() {
        #expect(H.kind("a FETCH 1 ALL") == .fetch(H.set([(1, 1)]), attributes: [.flags, .internalDate, .rfc822Size, .envelope], modifiers: .init(), uid: false))
        #expect(H.kind("a FETCH 1 FAST") == .fetch(H.set([(1, 1)]), attributes: [.flags, .internalDate, .rfc822Size], modifiers: .init(), uid: false))
        #expect(
            H.kind("a FETCH 1 FULL")
                == .fetch(H.set([(1, 1)]), attributes: [.flags, .internalDate, .rfc822Size, .envelope, .body], modifiers: .init(), uid: false))
        #expect(
            H.kind("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])")
                == .fetch(
                    H.set([(2, 4)]), attributes: [.flags, .bodySection(IMAPSection(text: .headerFields(["DATE", "FROM"])), partial: nil, peek: false)],
                    modifiers: .init(), uid: false))
        #expect(
            H.kind(
                "a UID FETCH 1:* (BODY.PEEK[1.2.MIME] BODY[TEXT]<0.2048> BODY[] BODY.PEEK[3] BODY[2.HEADER.FIELDS.NOT (Subject \"X-A\")] "
                    + "BINARY.PEEK[1]<0.100> BINARY[] BINARY.SIZE[2] MODSEQ RFC822 RFC822.HEADER RFC822.TEXT RFC822.SIZE BODYSTRUCTURE BODY ENVELOPE INTERNALDATE UID)"
            )
                == .fetch(
                    .ranges([IMAPSequenceRange(.number(1), .last)]),
                    attributes: [
                        .bodySection(IMAPSection(part: [1, 2], text: .mime), partial: nil, peek: true),
                        .bodySection(IMAPSection(text: .text), partial: IMAPPartial(offset: 0, length: 2048), peek: false),
                        .bodySection(IMAPSection(), partial: nil, peek: false), .bodySection(IMAPSection(part: [3]), partial: nil, peek: true),
                        .bodySection(IMAPSection(part: [2], text: .headerFieldsNot(["Subject", "X-A"])), partial: nil, peek: false),
                        .binary(part: [1], partial: IMAPPartial(offset: 0, length: 100), peek: true), .binary(part: [], partial: nil, peek: false),
                        .binarySize(part: [2]), .modSeq, .rfc822, .rfc822Header, .rfc822Text, .rfc822Size, .bodyStructure, .body, .envelope,
                        .internalDate, .uid,
                    ], modifiers: .init(), uid: true))
        // UID FETCH always returns UID (RFC 9051 section 6.4.9).
        #expect(H.kind("a UID FETCH 1 FLAGS") == .fetch(H.set([(1, 1)]), attributes: [.flags, .uid], modifiers: .init(), uid: true))
        // RFC 7162 sections 3.1.4.1 and 3.2.6.
        #expect(
            H.kind("s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)")
                == .fetch(.ranges([IMAPSequenceRange(.number(1), .last)]), attributes: [.flags, .uid, .modSeq], modifiers: .init(changedSince: 12345), uid: true))
        #expect(
            H.kind("s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)")
                == .fetch(H.set([(300, 500)]), attributes: [.flags, .uid, .modSeq], modifiers: .init(changedSince: 12345, vanished: true), uid: true))
        #expect(H.failure("a FETCH 1 (FLAGS) (VANISHED)")?.tag == "a")
        #expect(H.failure("a FETCH 1 BODY[0]")?.tag == "a")
        #expect(H.failure("a FETCH 1 BODY[MIME]")?.tag == "a")
        #expect(H.failure("a FETCH 1 BODY[1.]")?.tag == "a")
        #expect(H.failure("a FETCH 1 BODY[1.2.]")?.tag == "a")
        #expect(H.failure("a FETCH 1 BODY[HEADER.FIELDS ()]")?.tag == "a")
        #expect(H.failure("a FETCH 1 BODY[]<0.0>")?.tag == "a")
        #expect(H.failure("a FETCH 1 ()")?.tag == "a")
    }

    @Test func search() {
        // RFC 9051 section 6.4.4.
        #expect(
            H.kind("A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"")
                == .search(
                    IMAPSearchCommand(key: .and([.flagged, .since(IMAPDate(year: 1994, month: 2, day: 1)), .not(.from("Smith"))])), uid: false))
        #expect(H.kind("A283 SEARCH TEXT \"string not in mailbox\"") == .search(IMAPSearchCommand(key: .text("string not in mailbox")), uid: false))
        #expect(
            H.kind("A284 SEARCH CHARSET UTF-8 TEXT {12}\r\nXXXXXXXXXXXX")
                == .search(IMAPSearchCommand(charset: "UTF-8", key: .text("XXXXXXXXXXXX")), uid: false))
        // RFC 4731 section 3.1 and RFC 5182.
        #expect(
            H.kind("A285 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"")
                == .search(
                    IMAPSearchCommand(
                        returnOptions: [.min, .count],
                        key: .and([.flagged, .since(IMAPDate(year: 1994, month: 2, day: 1)), .not(.from("Smith"))])), uid: false))
        #expect(H.kind("a UID SEARCH RETURN () ALL") == .search(IMAPSearchCommand(returnOptions: [], key: .all), uid: true))
        #expect(H.kind("a SEARCH RETURN (SAVE MAX ALL) UNSEEN") == .search(IMAPSearchCommand(returnOptions: [.save, .max, .all], key: .unseen), uid: false))
        #expect(H.failure("a SEARCH \"SEEN\"")?.tag == "a", "a quoted string is not a key")
        // RFC 7162 section 3.1.5.
        #expect(
            H.kind("a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338")
                == .search(IMAPSearchCommand(key: .modSeq(620_162_338, entry: IMAPModSeqEntry(name: "/flags/\\draft", type: "all"))), uid: false))
        #expect(H.kind("a SEARCH MODSEQ 5") == .search(IMAPSearchCommand(key: .modSeq(5, entry: nil)), uid: false))
        let every =
            "t SEARCH ALL ANSWERED BCC b BEFORE 1-Jan-2000 BODY x CC c DELETED DRAFT FLAGGED FROM f HEADER Message-ID \"<a@b>\" "
            + "KEYWORD $Junk LARGER 10 NEW OLD ON \"2-Mar-2001\" RECENT SEEN SENTBEFORE 3-Apr-2002 SENTON 4-May-2003 SENTSINCE 5-Jun-2004 "
            + "SINCE 6-Jul-2005 SMALLER 99 SUBJECT s TEXT t TO o UID 1:* UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD $x UNSEEN *"
        guard case .search(let command, _) = H.kind(every), case .and(let keys) = command.key else {
            Issue.record("the full key set did not parse")
            return
        }
        #expect(keys.count == 34)
        #expect(keys.contains(.header("Message-ID", "<a@b>")))
        #expect(keys.contains(.on(IMAPDate(year: 2001, month: 3, day: 2))))
        #expect(keys.last == .sequenceSet(.ranges([IMAPSequenceRange(.last, .last)])))
        // An unknown charset is NO [BADCHARSET], not BAD (RFC 9051 section 6.4.4).
        let failure = H.failure("A286 SEARCH CHARSET KOI8-R TEXT x")
        #expect(failure?.status == .no)
        #expect(failure?.responseCode == .badCharset(["UTF-8", "US-ASCII"]))
        #expect(H.failure("a SEARCH")?.tag == "a")
        #expect(H.failure("a SEARCH BOGUS")?.tag == "a")
    }

    @Test func searchOrNesting() {
        #expect(
            H.kind("a SEARCH OR (FROM a SEEN) NOT (TO b)")
                == .search(IMAPSearchCommand(key: .or(.and([.from("a"), .seen]), .not(.to("b")))), uid: false))
        #expect(
            H.kind("a SEARCH 1:5,7 UID $") == .search(IMAPSearchCommand(key: .and([.sequenceSet(H.set([(1, 5), (7, 7)])), .uid(.savedResult)])), uid: false))
    }

    @Test func latin1SearchStrings() {
        let bytes = Array("a SEARCH CHARSET ISO-8859-1 SUBJECT {1}\r\n".utf8) + [0xe9]
        #expect(H.command(bytes)?.kind == .search(IMAPSearchCommand(charset: "ISO-8859-1", key: .subject("é")), uid: false))
        // Without a charset 8-bit strings must be UTF-8.
        #expect(H.failure(Array("a SEARCH SUBJECT {1}\r\n".utf8) + [0xe9])?.tag == "a")
    }

    @Test func unknownCommandsAndTags() {
        let unknown = H.failure("a1 FROBNICATE")
        #expect(unknown?.tag == "a1")
        #expect(unknown?.status == .bad)
        #expect(unknown?.disposition == .rejectCommand)
        #expect(unknown?.error == .protocolViolation)
        #expect(H.failure("+tag NOOP")?.tag == nil)
        #expect(H.failure("")?.tag == nil)
        #expect(H.failure("a NOOP extra")?.tag == "a")
        #expect(H.failure("a1 FROBNICATE")?.response == .tagged(tag: "a1", IMAPStatusResponse(status: .bad, text: "unknown command")))
    }
}
