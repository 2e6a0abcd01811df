import MailAccess
import Testing

/// What one command may make the parser hold: APPEND's lines count toward the command size,
/// a MULTIAPPEND's literals together stay under ``IMAPCommandParser/Configuration/maximumAppendTotalSize``
/// (refused when announced, before any byte of the literal), and a line other than DONE
/// during IDLE loses the framing (RFC 2177).
@Suite struct IMAPCommandParserBoundsTests {
    /// The limits a server applies before login (as IMAPConnection sets them).
    static var beforeLogin: IMAPCommandParser.Configuration {
        var configuration = IMAPCommandParser.Configuration()
        configuration.maximumLineLength = 8_192
        configuration.maximumLiteralSize = 8_192
        configuration.maximumCommandSize = 16_384
        configuration.maximumAppendSize = 0
        configuration.maximumAppendTotalSize = 0
        return configuration
    }

    /// `a APPEND x {0+}` followed by lines of 8,191 bytes each ending in `{0+}`: every line
    /// counts, so the command is refused and the connection closed after a few of them
    /// instead of growing to 10,000 lines (~82 MB). The item limit is left at its default
    /// so only the command size can stop it.
    @Test func appendLinesCountTowardTheCommandSize() {
        var parser = IMAPCommandParser(configuration: Self.beforeLogin)
        parser.append(Array("a APPEND x {0+}\r\n".utf8))
        var events = IMAPTestHelpers.drain(&parser)
        let line = Array(repeating: UInt8(ascii: "x"), count: 8_191 - 6) + Array("{0+}\r\n".utf8)
        var largestBuffer = parser.bufferedByteCount
        for _ in 0..<10_000 {
            parser.append(line)
            events += IMAPTestHelpers.drain(&parser)
            largestBuffer = max(largestBuffer, parser.bufferedByteCount)
            if !events.isEmpty || largestBuffer > 64 * 1024 { break }
        }
        #expect(largestBuffer <= 16_384 + 2 * 8_192, "held \(largestBuffer) bytes")
        guard case .failure(let failure)? = events.first else {
            Issue.record("expected a failure, got \(events)")
            return
        }
        #expect(failure.tag == "a")
        #expect(failure.disposition == .closeConnection)
        #expect(failure.error == .limitExceeded)
        #expect(parser.bufferedByteCount == 0)
    }

    /// The same with synchronising literals: refused, and the framing kept (the client
    /// got no continuation, so it sends no literal).
    @Test func synchronisingAppendLinesCountTowardTheCommandSize() {
        var configuration = Self.beforeLogin
        configuration.maximumAppendSize = 100
        configuration.maximumAppendTotalSize = 1_000_000
        var parser = IMAPCommandParser(configuration: configuration)
        parser.append(Array("a APPEND x {1}\r\n".utf8))
        var events = IMAPTestHelpers.drain(&parser)
        let line = Array("x".utf8) + Array(repeating: UInt8(ascii: " "), count: 8_000) + Array("{1}\r\n".utf8)
        for _ in 0..<100 where !events.contains(where: { if case .failure = $0 { true } else { false } }) {
            parser.append(line)
            events += IMAPTestHelpers.drain(&parser)
        }
        guard case .failure(let failure)? = events.last else {
            Issue.record("expected a failure, got \(events.count) events")
            return
        }
        #expect(events.dropLast().allSatisfy { $0 == .continuationRequest })
        #expect(events.count <= 4)
        #expect(failure.disposition == .rejectCommand)
        parser.append(Array("b NOOP\r\n".utf8))
        let tags = IMAPTestHelpers.drain(&parser).map { event -> String? in
            guard case .command(let command) = event else { return nil }
            return command.tag
        }
        #expect(tags == ["b"])
    }

    /// A MULTIAPPEND (RFC 3502) whose next message would pass the total is refused when
    /// that literal is announced: no continuation, nothing of it buffered, and the
    /// connection goes on.
    @Test func multiappendBeyondTheTotalIsRefusedBeforeItsLiteral() {
        var configuration = IMAPCommandParser.Configuration()
        configuration.maximumAppendSize = 3_000
        configuration.maximumAppendTotalSize = 5_000
        var parser = IMAPCommandParser(configuration: configuration)
        parser.append(Array("a APPEND INBOX {3000}\r\n".utf8))
        #expect(IMAPTestHelpers.drain(&parser) == [.continuationRequest])
        parser.append(Array(repeating: UInt8(ascii: "m"), count: 3_000) + Array(" {3000}\r\n".utf8))
        let events = IMAPTestHelpers.drain(&parser)
        guard events.count == 1, case .failure(let failure) = events[0] else {
            Issue.record("expected one failure, got \(events)")
            return
        }
        #expect(failure.tag == "a")
        #expect(failure.status == .no)
        #expect(failure.responseCode == .tooBig)
        #expect(failure.disposition == .rejectCommand)
        #expect(parser.bufferedByteCount < 4_096)
        // Within the total, two messages are taken.
        parser.append(Array("b APPEND INBOX {2000}\r\n".utf8))
        #expect(IMAPTestHelpers.drain(&parser) == [.continuationRequest])
        parser.append(Array(repeating: UInt8(ascii: "m"), count: 2_000) + Array(" {3000+}\r\n".utf8))
        parser.append(Array(repeating: UInt8(ascii: "m"), count: 3_000) + Array("\r\n".utf8))
        let appended = IMAPTestHelpers.drain(&parser)
        guard appended.count == 1, case .command(let command) = appended[0], case .append(_, let messages) = command.kind else {
            Issue.record("expected the APPEND, got \(appended.count) events")
            return
        }
        #expect(messages.count == 2)
    }

    /// The default total is two messages of the default size.
    @Test func theDefaultTotalIsTwoMessages() {
        let configuration = IMAPCommandParser.Configuration()
        #expect(configuration.maximumAppendTotalSize == 2 * configuration.maximumAppendSize)
    }

    /// During IDLE only DONE is valid: another line (which may announce a literal) closes
    /// the parser, so its literal's bytes are never read as commands.
    @Test func aLineOtherThanDoneDuringIdleLosesTheFraming() {
        var parser = IMAPCommandParser()
        parser.expectIdleDone()
        parser.append(Array("x LOGIN {11}\r\nb NOOP\r\n\r\nc NOOP\r\n".utf8))
        let events = IMAPTestHelpers.drain(&parser)
        guard events.count == 1, case .failure(let failure) = events[0] else {
            Issue.record("expected one failure, got \(events)")
            return
        }
        #expect(failure.disposition == .closeConnection)
        parser.append(Array("d NOOP\r\n".utf8))
        #expect(parser.next() == nil)
        // DONE itself still ends IDLE.
        var done = IMAPCommandParser()
        done.expectIdleDone()
        done.append(Array("DONE\r\ne NOOP\r\n".utf8))
        let afterDone = IMAPTestHelpers.drain(&done)
        #expect(afterDone.first == .idleDone)
        #expect(afterDone.count == 2)
    }

    /// A command refused at its literal's announcement is dropped whole: the client sends
    /// no literal, and its next line is a new command.
    @Test func aRefusedLiteralLeavesTheFramingIntact() {
        var parser = IMAPCommandParser()
        parser.append(Array("a LOGIN {5}\r\n".utf8))
        #expect(parser.next() == .continuationRequest)
        #expect(parser.pendingCommandTag == "a")
        #expect(parser.pendingCommandVerb == "LOGIN")
        parser.refusePendingLiteral()
        #expect(!parser.isCommandInProgress)
        parser.append(Array("b CAPABILITY\r\n".utf8))
        let events = IMAPTestHelpers.drain(&parser)
        guard events.count == 1, case .command(let command) = events[0] else {
            Issue.record("expected one command, got \(events)")
            return
        }
        #expect(command.tag == "b")
        #expect(command.kind == .capability)
    }
}
