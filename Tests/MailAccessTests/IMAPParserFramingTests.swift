import MailAccess
import Testing

/// Framing: lines split anywhere, every kind of literal, and hostile input (typed failures,
/// bounded buffering, no recursion without bound).
@Suite struct IMAPParserFramingTests {
    typealias H = IMAPTestHelpers

    @Test func synchronizingLiteralAsksForContinuationOnce() {
        let input = Array("a LOGIN {4}\r\nfred {6}\r\nsecret\r\n".utf8)
        let expected: [IMAPParserEvent] = [
            .continuationRequest, .continuationRequest,
            .command(IMAPCommand(tag: "a", kind: .login(username: "fred", password: IMAPSecret(Array("secret".utf8))))),
        ]
        #expect(H.events(input) == expected)
        #expect(H.eventsByteByByte(input) == expected)
    }

    @Test func nonSynchronizingLiteralsNeedNoContinuation() {
        let input = Array("a LOGIN {4+}\r\nfred {6-}\r\nsecret\r\n".utf8)
        let expected: [IMAPParserEvent] = [
            .command(IMAPCommand(tag: "a", kind: .login(username: "fred", password: IMAPSecret(Array("secret".utf8)))))
        ]
        #expect(H.eventsByteByByte(input) == expected)
        var none = IMAPCommandParser.Configuration()
        none.nonSynchronizingLiterals = .none
        let refused = H.failure("a LOGIN {4+}\r\nfred x", configuration: none)
        #expect(refused?.disposition == .closeConnection)
        #expect(refused?.tag == "a")
    }

    @Test func literalMinusStopsAt4096() {
        var minus = IMAPCommandParser.Configuration()
        minus.nonSynchronizingLiterals = .literalMinus
        let body = String(repeating: "x", count: 4096)
        #expect(
            H.events(Array("a SEARCH TEXT {4096+}\r\n\(body)\r\n".utf8), configuration: minus)
                == [.command(IMAPCommand(tag: "a", kind: .search(IMAPSearchCommand(key: .text(body)), uid: false)))])
        let over = H.failure("a SEARCH TEXT {4097+}\r\n", configuration: minus)
        #expect(over?.disposition == .closeConnection)
        #expect(over?.responseCode == .tooBig)
        // A synchronising literal of the same size is fine: the client waits.
        #expect(H.events(Array("a SEARCH TEXT {4097}\r\n".utf8), configuration: minus) == [.continuationRequest])
    }

    @Test func startTLSDropsWhatWasPipelinedInPlaintext() {
        var parser = IMAPCommandParser()
        parser.append(Array("a STARTTLS\r\nb LOGIN fred secret\r\nc APPEND INBOX {5}\r\nab".utf8))
        #expect(parser.next() == .command(IMAPCommand(tag: "a", kind: .startTLS)))
        // The session starts the handshake here: nothing sent before it counts.
        #expect(parser.discardBufferedInput() > 0)
        #expect(parser.next() == nil)
        #expect(parser.bufferedByteCount == 0)
        parser.append(Array("d NOOP\r\n".utf8))
        #expect(parser.next() == .command(IMAPCommand(tag: "d", kind: .noop)))
    }

    @Test func pipelinedCommandsInOneRead() {
        let input = Array("a NOOP\r\nb CHECK\r\nc LOGOUT\r\n".utf8)
        #expect(
            H.events(input) == [
                .command(IMAPCommand(tag: "a", kind: .noop)), .command(IMAPCommand(tag: "b", kind: .check)),
                .command(IMAPCommand(tag: "c", kind: .logout)),
            ])
        // Bare LF line ends are taken too (as Dovecot does).
        #expect(H.events(Array("a NOOP\n".utf8)) == [.command(IMAPCommand(tag: "a", kind: .noop))])
    }

    @Test func manyPipelinedCommandsStayLinear() {
        var parser = IMAPCommandParser()
        let line = Array("a NOOP\r\n".utf8)
        var input: [UInt8] = []
        input.reserveCapacity(line.count * 200_000)
        for _ in 0..<200_000 { input += line }
        parser.append(input)
        var count = 0
        while let event = parser.next() {
            guard case .command = event else { break }
            count += 1
        }
        #expect(count == 200_000)
        // Consumed input is dropped as the parser goes (1.6 MB came in).
        #expect(parser.bufferedByteCount < 8192)
    }

    @Test func unterminatedLiteralWaitsAndBuffersOnlyWhatCame() {
        var parser = IMAPCommandParser()
        parser.append(Array("a APPEND INBOX {100}\r\n0123456789".utf8))
        #expect(parser.next() == .continuationRequest)
        #expect(parser.next() == nil)
        #expect(parser.bufferedByteCount < 100)
        // An unterminated quoted string is a BAD for its command, which ends at the line end.
        #expect(H.failure("a LOGIN \"fred")?.tag == "a")
    }

    @Test func hugeSynchronizingLiteralIsRefusedBeforeAnyByte() {
        var parser = IMAPCommandParser()
        parser.append(Array("a APPEND INBOX {104857600}\r\n".utf8))
        guard case .failure(let failure)? = parser.next() else {
            Issue.record("a 100 MB literal must be refused")
            return
        }
        #expect(failure.tag == "a")
        #expect(failure.status == .no)
        #expect(failure.responseCode == .tooBig)
        #expect(failure.disposition == .rejectCommand)
        #expect(failure.error == .limitExceeded)
        #expect(
            IMAPResponseEncoder().encode(failure.response) == Array("a NO [TOOBIG] the message is larger than the server accepts\r\n".utf8))
        // No continuation was sent, so the client goes on with its next command.
        parser.append(Array("b NOOP\r\n".utf8))
        #expect(parser.next() == .command(IMAPCommand(tag: "b", kind: .noop)))
        // Other commands' literals have their own, smaller limit.
        let login = H.failure("c LOGIN {70000}\r\n")
        #expect(login?.status == .bad)
        #expect(login?.responseCode == .tooBig)
        #expect(H.failure("c LOGIN {99999999999999999999999}\r\n")?.responseCode == .tooBig)
    }

    @Test func hugeNonSynchronizingLiteralClosesWithoutBuffering() {
        var parser = IMAPCommandParser()
        parser.append(Array("a APPEND INBOX {104857600+}\r\n".utf8) + [UInt8](repeating: 0x41, count: 65536))
        guard case .failure(let failure)? = parser.next() else {
            Issue.record("a 100 MB literal must be refused")
            return
        }
        #expect(failure.disposition == .closeConnection)
        #expect(failure.responseCode == .tooBig)
        #expect(parser.next() == nil)
        parser.append([UInt8](repeating: 0x41, count: 65536))
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func largeLiteralInPiecesIsHeldOnce() {
        var parser = IMAPCommandParser()
        let size = 8 * 1024 * 1024
        parser.append(Array("a APPEND INBOX {\(size)}\r\n".utf8))
        #expect(parser.next() == .continuationRequest)
        let piece = [UInt8](repeating: 0x41, count: 64 * 1024)
        var largestBuffer = 0
        for _ in 0..<(size / piece.count) {
            parser.append(piece)
            #expect(parser.next() == nil)
            largestBuffer = max(largestBuffer, parser.bufferedByteCount)
        }
        // The literal is held once (in the command), never again in the unread input.
        #expect(largestBuffer <= size + 2 * piece.count)
        parser.append(Array("\r\n".utf8))
        guard case .command(let command)? = parser.next(), case .append(_, let messages) = command.kind else {
            Issue.record("the APPEND did not complete")
            return
        }
        #expect(messages.first?.data.count == size)
    }

    @Test func appendLimitIsSeparateFromOtherLiterals() {
        var small = IMAPCommandParser.Configuration()
        small.maximumAppendSize = 10
        small.maximumLiteralSize = 100
        #expect(H.failure("a APPEND INBOX {11}\r\n", configuration: small)?.responseCode == .tooBig)
        #expect(H.events(Array("a APPEND INBOX {10}\r\n".utf8), configuration: small) == [.continuationRequest])
        #expect(H.events(Array("a LOGIN {50}\r\n".utf8), configuration: small) == [.continuationRequest])
    }

    @Test func tenThousandNestedParenthesesAreATypedError() {
        let fetch = "a FETCH 1 " + String(repeating: "(", count: 10_000) + String(repeating: ")", count: 10_000)
        let fetchFailure = H.failure(fetch)
        #expect(fetchFailure?.tag == "a")
        #expect(fetchFailure?.disposition == .rejectCommand)
        let search = "b SEARCH " + String(repeating: "(", count: 10_000) + "ALL" + String(repeating: ")", count: 10_000)
        let searchFailure = H.failure(search)
        #expect(searchFailure?.tag == "b")
        #expect(searchFailure?.error == .limitExceeded)
        #expect(searchFailure?.responseCode == .limit)
        let nots = "c SEARCH " + String(repeating: "NOT ", count: 10_000) + "ALL"
        #expect(H.failure(nots)?.error == .limitExceeded)
        let ors = "d SEARCH " + String(repeating: "OR ALL ", count: 5_000) + "ALL"
        #expect(H.failure(ors)?.error == .limitExceeded)
        // Within the limit, nesting works.
        #expect(H.kind("e SEARCH " + String(repeating: "(", count: 60) + "SEEN" + String(repeating: ")", count: 60)) == .search(.init(key: .seen), uid: false))
    }

    @Test func overlongLinesClose() {
        var parser = IMAPCommandParser()
        parser.append(Array("a SEARCH TEXT ".utf8) + [UInt8](repeating: 0x78, count: 70_000))
        guard case .failure(let failure)? = parser.next() else {
            Issue.record("an overlong line must fail")
            return
        }
        #expect(failure.disposition == .closeConnection)
        #expect(failure.error == .limitExceeded)
        #expect(failure.tag == "a")
        #expect(parser.bufferedByteCount == 0)
        // Fed in small reads the line is refused as soon as it passes the limit.
        var dripped = IMAPCommandParser()
        var failed = false
        for _ in 0..<1000 {
            dripped.append([UInt8](repeating: 0x78, count: 100))
            if case .failure? = dripped.next() {
                failed = true
                break
            }
        }
        #expect(failed)
    }

    @Test func commandSizeCountsLiterals() {
        var small = IMAPCommandParser.Configuration()
        small.maximumCommandSize = 100
        let failure = H.failure("a SEARCH TEXT {60+}\r\n\(String(repeating: "x", count: 60)) TEXT {60+}\r\n", configuration: small)
        #expect(failure?.responseCode == .tooBig)
    }

    @Test func hugeSequenceSetsAreBounded() {
        let set = Array(repeating: "1", count: 10_001).joined(separator: ",")
        let failure = H.failure("a FETCH \(set) FLAGS")
        #expect(failure?.error == .limitExceeded)
        #expect(failure?.tag == "a")
        let allowed = Array(repeating: "1", count: 10_000).joined(separator: ",")
        guard case .fetch(.ranges(let ranges), _, _, _)? = H.events(Array("a FETCH \(allowed) FLAGS\r\n".utf8)).first.flatMap({ event -> IMAPCommand.Kind? in
            if case .command(let command) = event { return command.kind }
            return nil
        }) else {
            Issue.record("10,000 ranges are allowed")
            return
        }
        #expect(ranges.count == 10_000)
        #expect(H.failure("a FETCH 99999999999999999999 FLAGS")?.tag == "a")
    }

    @Test func nulBytesAreRefused() {
        #expect(H.failure(Array("a NOOP".utf8) + [0] + Array("\r\n".utf8))?.tag == "a")
        #expect(H.failure(Array("a LOGIN \"a".utf8) + [0] + Array("\" b\r\n".utf8))?.tag == "a")
        #expect(H.failure(Array("a LOGIN {1}\r\n".utf8) + [0] + Array(" b\r\n".utf8))?.tag == "a")
        // The parser goes on after each.
        let events = H.events(Array("a NOOP".utf8) + [0] + Array("\r\nb NOOP\r\n".utf8))
        #expect(events.last == .command(IMAPCommand(tag: "b", kind: .noop)))
    }

    @Test func invalidMailboxNames() {
        let invalidUTF8: [UInt8] = Array("a SELECT {2}\r\n".utf8) + [0xff, 0xfe]
        #expect(H.failure(invalidUTF8, utf8: true)?.error == .protocolViolation)
        // Refused with NO [CANNOT] (Dovecot answers an invalid name with NO too).
        #expect(H.failure(invalidUTF8, utf8: true)?.status == .no)
        #expect(H.failure(invalidUTF8, utf8: true)?.responseCode == .cannot)
        #expect(H.failure(invalidUTF8)?.tag == "a")
        #expect(H.failure("a SELECT &Jjo")?.tag == "a")
        #expect(H.failure("a SELECT \"&AGE-\"")?.tag == "a")
        // An overlong UTF-8 sequence and a lone surrogate are not UTF-8.
        #expect(H.failure(Array("a SELECT {2}\r\n".utf8) + [0xc0, 0xaf], utf8: true)?.tag == "a")
        #expect(H.failure(Array("a SELECT {3}\r\n".utf8) + [0xed, 0xa0, 0x80], utf8: true)?.tag == "a")
    }

    @Test func failuresNeverRepeatClientBytes() {
        let secret = "hunter2-secret"
        for line in ["a LOGIN \(secret)", "a SELECT \"\(secret)", "a SEARCH \(secret)", "a FETCH 1 \(secret)", "\(secret)"] {
            guard let failure = H.failure(line) else { continue }
            #expect(!failure.error.message.contains(secret))
            #expect(!failure.description.contains(secret))
        }
    }
}
