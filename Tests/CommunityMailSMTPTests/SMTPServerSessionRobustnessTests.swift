import CommunityMailSMTP
import Testing

/// What a hostile or careless client cannot do to a session: make it work quadratically on
/// pipelined commands, inject commands around a TLS handshake, hold it with commands that
/// move no mail; and how a host ends it when it stops (421 4.3.2).
@Suite("SMTPServerSession robustness: pipelining cost, TLS handshake bytes, junk commands, shutdown")
struct SMTPServerSessionRobustnessTests: SMTPServerSessionSuite {
    /// Correctness only: that the session walks the buffer once (no quadratic work on a
    /// long pipelined read) is not something a test here may time; a regression would show
    /// as minutes on this input.
    @Test("65,536 pipelined NOOPs in one read are all answered, in order, and the session goes on")
    func pipelinedCheapCommands() {
        var server = session { $0.maximumJunkCommands = .max }
        let count = 65_536
        let events = server.receive(Array(repeatElement(Array("NOOP\r\n".utf8), count: count).joined()))
        #expect(events.count == count)
        #expect(codes(events).allSatisfy { $0 == 250 })
        #expect(codes(server.receive(Array("QUIT\r\n".utf8))) == [221])
    }

    @Test("Bytes that arrive during the TLS handshake are ignored, and nothing buffered before it is run after it (RFC 3207 section 4.2)")
    func bytesDuringHandshake() {
        var server = session { $0.offersStartTLS = true }
        let upgrade = server.receive(Array("EHLO c.test\r\nSTARTTLS\r\n".utf8))
        #expect(codes(upgrade) == [250, 220])
        #expect(upgrade.last == .startTLS)
        // A host that keeps reading plaintext while the handshake runs hands these in.
        #expect(server.receive(Array("MAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@example.test>\r\n".utf8)).isEmpty)
        #expect(server.tlsEstablished().isEmpty)
        #expect(server.isTLSActive)
        // The client greets again, and no injected MAIL is open.
        #expect(codes(server.receive(Array("EHLO c.test\r\n".utf8))) == [250])
        #expect(codes(server.receive(Array("RCPT TO:<b@example.test>\r\n".utf8))) == [503])
    }

    @Test("Commands that move no mail are free up to the junk limit; past it each counts as an error, and the error limit closes with 421 4.7.0")
    func junkCommandLimit() {
        var server = session {
            $0.maximumJunkCommands = 3
            $0.maximumErrors = 3
        }
        _ = server.receive(Array("EHLO c.test\r\n".utf8))
        let junk = server.receive(Array("NOOP\r\nRSET\r\nVRFY x\r\n".utf8))
        #expect(codes(junk) == [250, 250, 252])
        // Past the limit: still answered, but counted (errors 1 and 2), then the third closes.
        #expect(codes(server.receive(Array("HELP\r\nNOOP\r\n".utf8))) == [214, 250])
        let closing = server.receive(Array("NOOP\r\nNOOP\r\n".utf8))
        #expect(replies(closing) == ["421 4.7.0"])
        #expect(closing.last == .close)
        #expect(server.isClosed)
    }

    @Test("RCPTs over the recipient limit and refused senders are junk too; a message handed over starts the count again")
    func junkResetByMessage() {
        var server = session {
            $0.maximumJunkCommands = 2
            $0.maximumErrors = 2
            $0.maximumRecipients = 1
        }
        server.senderCheck = { $0 == "refused@x.test" ? SMTPReply(553, "5.1.7 no") : nil }
        _ = server.receive(Array("EHLO c.test\r\nMAIL FROM:<refused@x.test>\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@example.test>\r\n".utf8))
        _ = server.resolveRecipient(SMTPReply(250, "2.1.5 OK"))
        #expect(replies(server.receive(Array("RCPT TO:<c@example.test>\r\n".utf8))) == ["452 4.5.3"])
        _ = server.receive(Array("DATA\r\n".utf8))
        let events = server.receive(Array("Subject: x\r\n\r\nbody\r\n.\r\n".utf8))
        #expect(events.contains { if case .message = $0 { true } else { false } })
        _ = server.resolveMessage(SMTPReply(250, "2.0.0 OK"))
        // Two more junk commands are free again; a third past the limit would be error 1 (of 2).
        #expect(codes(server.receive(Array("NOOP\r\nNOOP\r\nNOOP\r\n".utf8))) == [250, 250, 250])
        #expect(!server.isClosed)
        #expect(replies(server.receive(Array("NOOP\r\n".utf8))) == ["421 4.7.0"])
    }

    @Test("shutDown() between commands: 421 4.3.2 and close; nothing after it is answered")
    func shutDownBetweenCommands() {
        var server = session()
        _ = server.receive(Array("EHLO c.test\r\nMAIL FROM:<a@x.test>\r\n".utf8))
        let events = server.shutDown()
        #expect(replies(events) == ["421 4.3.2"])
        #expect(events.last == .close)
        #expect(server.isClosed)
        #expect(server.receive(Array("RCPT TO:<b@example.test>\r\n".utf8)).isEmpty)
        #expect(server.shutDown().isEmpty)
    }

    @Test("messageOctetsReceived counts a refused message's octets although its content is dropped")
    func octetsOfRefusedMessage() {
        var server = session { $0.maximumMessageSize = 100 }
        _ = server.receive(Array("EHLO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@example.test>\r\n".utf8))
        _ = server.resolveRecipient(SMTPReply(250, "2.1.5 OK"))
        _ = server.receive(Array("DATA\r\n".utf8))
        let line = String(repeating: "x", count: 48) + "\r\n"
        let events = server.receive(Array((String(repeating: line, count: 5) + ".\r\n").utf8))
        #expect(replies(events) == ["552 5.3.4"])
        #expect(server.messageBytesHeld == 0)
        #expect(server.messageOctetsReceived == 250)
        #expect(server.greetedWithEHLO)
    }
}
