import CommunityMailSMTP
import Testing

@Suite("SMTPServerSession")
struct SMTPServerSessionTests: SMTPServerSessionSuite {

    @Test("A whole transaction: 220, 250 EHLO with its extensions, 250 MAIL, the recipient for the host, 354, the unstuffed message, 221")
    func transaction() throws {
        var server = session()
        #expect(codes(server.start()) == [220])
        let hello = server.receive(Array("EHLO client.test\r\n".utf8))
        guard case .reply(let ehlo) = hello.first else { Issue.record("no EHLO reply"); return }
        #expect(ehlo.code == 250)
        let capabilities = SMTPCapabilities(ehloReply: ehlo)
        #expect(capabilities.contains("PIPELINING") && capabilities.contains("8BITMIME") && capabilities.contains("SMTPUTF8"))
        #expect(capabilities.maximumMessageSize == 25 * 1024 * 1024)
        #expect(!capabilities.contains("STARTTLS"))
        #expect(codes(server.receive(Array("MAIL FROM:<a@example.test> SIZE=100 BODY=8BITMIME\r\n".utf8))) == [250])
        #expect(server.receive(Array("RCPT TO:<b@example.test>\r\n".utf8)) == [.recipient("b@example.test")])
        #expect(codes(server.resolveRecipient(SMTPReply(250, "2.1.5 OK"))) == [250])
        #expect(codes(server.receive(Array("DATA\r\n".utf8))) == [354])
        let events = server.receive(Array("Subject: x\r\n\r\n..dot\r\nend\r\n.\r\n".utf8))
        let expected = SMTPReceivedMessage(
            sender: "a@example.test", recipients: ["b@example.test"], content: Array("Subject: x\r\n\r\n.dot\r\nend\r\n".utf8),
            usesSMTPUTF8: false)
        #expect(events == [.message(expected)])
        #expect(codes(server.resolveMessage(SMTPReply(250, "2.0.0 queued"))) == [250])
        #expect(server.receive(Array("QUIT\r\n".utf8)) == [.reply(SMTPReply(221, "2.0.0 mx.test closing")), .close])
        #expect(server.isClosed)
    }

    @Test("Pipelined commands are answered in order, waiting for the host's decision on each recipient")
    func pipelining() {
        var server = session()
        let first = server.receive(Array("EHLO c.test\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<c@example.test>\r\nDATA\r\n".utf8))
        #expect(codes(first) == [250, 250])
        #expect(first.last == .recipient("b@example.test"))
        let second = server.resolveRecipient(SMTPReply(550, "5.1.1 no such user"))
        #expect(codes(second) == [550])
        #expect(second.last == .recipient("c@example.test"))
        #expect(codes(server.resolveRecipient(SMTPReply(250, "2.1.5 OK"))) == [250, 354])
    }

    @Test("Message content split anywhere ends at the same place", arguments: [1, 2, 3, 5])
    func splitData(chunkSize: Int) {
        var server = inData()
        let bytes = Array("..\r\n..a\r\nb.\r\n.\r\n".utf8)
        var events: [SMTPServerSession.Event] = []
        for start in stride(from: 0, to: bytes.count, by: chunkSize) {
            events += server.receive(Array(bytes[start..<min(start + chunkSize, bytes.count)]))
        }
        guard case .message(let message) = events.last else { Issue.record("no message: \(events)"); return }
        #expect(message.content == Array(".\r\n.a\r\nb.\r\n".utf8))
    }

    @Test("A bare LF or bare CR in DATA refuses the message with 550 (SMTP smuggling), and the smuggled end does not end it", arguments: [
        "a\n.\r\nMAIL FROM:<evil@x.test>\r\n.\r\n", "a\r.\r\n.\r\n", "a\r\n.\n.\r\n.\r\n",
    ])
    func smuggling(_ data: String) {
        var server = inData()
        let events = server.receive(Array(data.utf8))
        #expect(codes(events) == [550])
        #expect(!events.contains { if case .message = $0 { true } else { false } })
        // The session goes on: the transaction was reset.
        #expect(codes(server.receive(Array("RCPT TO:<b@example.test>\r\n".utf8))) == [503])
    }

    @Test("After the limit of recipients, RCPT gets 452 (RFC 5321 section 4.5.3.1.10)")
    func recipientLimit() {
        var server = session { $0.maximumRecipients = 2 }
        _ = server.receive(Array("EHLO c.test\r\nMAIL FROM:<a@example.test>\r\n".utf8))
        for name in ["b", "c"] {
            _ = server.receive(Array("RCPT TO:<\(name)@example.test>\r\n".utf8))
            _ = server.resolveRecipient(SMTPReply(250, "OK"))
        }
        #expect(codes(server.receive(Array("RCPT TO:<d@example.test>\r\n".utf8))) == [452])
    }

    @Test("A message over the size limit gets 552, in MAIL's SIZE or in DATA")
    func sizeLimit() {
        var server = session { $0.maximumMessageSize = 10 }
        _ = server.receive(Array("EHLO c.test\r\n".utf8))
        #expect(codes(server.receive(Array("MAIL FROM:<a@example.test> SIZE=11\r\n".utf8))) == [552])
        var data = inData { $0.maximumMessageSize = 10 }
        #expect(codes(data.receive(Array("0123456789ABCDEF\r\n.\r\n".utf8))) == [552])
    }

    @Test("Order and syntax: 503 out of sequence, 501 bad syntax, 500 unknown, 555 unknown parameter, 554 DATA with no recipient")
    func sequenceAndSyntax() {
        var server = session { $0.maximumErrors = 20 }
        #expect(codes(server.receive(Array("MAIL FROM:<a@example.test>\r\n".utf8))) == [503])
        #expect(codes(server.receive(Array("EHLO\r\nEHLO c.test\r\n".utf8))) == [501, 250])
        #expect(codes(server.receive(Array("RCPT TO:<b@example.test>\r\nDATA\r\n".utf8))) == [503, 503])
        #expect(codes(server.receive(Array("MAIL FROM:<a@example.test> FOO=1\r\nMAIL FROM:a@example.test\r\n".utf8))) == [555, 501])
        #expect(codes(server.receive(Array("MAIL FROM:<a@example.test>\r\nDATA\r\nMAIL FROM:<a@example.test>\r\n".utf8))) == [250, 554, 503])
        #expect(codes(server.receive(Array("RCPT TO:<b@example.test\r\nRCPT TO:<x y@example.test>\r\n".utf8))) == [501, 501])
        #expect(codes(server.receive(Array("XYZZY\r\nNOOP\r\nRSET\r\nVRFY b\r\n".utf8))) == [500, 250, 250, 252])
    }

    @Test("RCPT TO:<Postmaster> without a domain goes to the host (RFC 5321 section 4.5.1)")
    func postmaster() {
        var server = session()
        _ = server.receive(Array("EHLO c.test\r\nMAIL FROM:<a@example.test>\r\n".utf8))
        #expect(server.receive(Array("RCPT TO:<Postmaster>\r\n".utf8)) == [.recipient("Postmaster")])
    }

    @Test("Non-ASCII addresses need SMTPUTF8 in MAIL (RFC 6531)")
    func smtputf8() {
        var server = session()
        _ = server.receive(Array("EHLO c.test\r\n".utf8))
        #expect(codes(server.receive(Array("MAIL FROM:<ñ@example.test>\r\n".utf8))) == [553])
        #expect(codes(server.receive(Array("MAIL FROM:<ñ@example.test> SMTPUTF8\r\n".utf8))) == [250])
        #expect(server.receive(Array("RCPT TO:<ü@example.test>\r\n".utf8)) == [.recipient("ü@example.test")])
    }

    @Test("A command line over 512 octets gets 500 5.5.6 once, and the session reads on after its end")
    func longLine() {
        var server = session()
        let long = "NOOP " + String(repeating: "x", count: 600)
        #expect(codes(server.receive(Array(long.utf8))) == [500])
        #expect(codes(server.receive(Array("xxxx\r\nNOOP\r\n".utf8))) == [250])
        #expect(codes(server.receive(Array((long + "\r\nNOOP\r\n").utf8))) == [500, 250])
    }

    @Test("Past the error limit the session ends with 421")
    func errorLimit() {
        var server = session { $0.maximumErrors = 3 }
        let events = server.receive(Array("FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n".utf8))
        #expect(codes(events) == [500, 500, 421])
        #expect(events.last == .close)
        #expect(server.isClosed)
        #expect(server.receive(Array("NOOP\r\n".utf8)).isEmpty)
    }

    @Test("STARTTLS: 220, commands pipelined behind it are discarded (RFC 3207 section 4.2), EHLO required again, STARTTLS no longer offered")
    func startTLS() {
        var server = session { $0.offersStartTLS = true }
        let hello = server.receive(Array("EHLO c.test\r\n".utf8))
        guard case .reply(let ehlo) = hello.first else { Issue.record("no EHLO reply"); return }
        #expect(SMTPCapabilities(ehloReply: ehlo).contains("STARTTLS"))
        let events = server.receive(Array("STARTTLS\r\nMAIL FROM:<injected@x.test>\r\n".utf8))
        #expect(events == [.reply(SMTPReply(220, "2.0.0 ready to start TLS")), .startTLS])
        #expect(server.tlsEstablished().isEmpty)
        #expect(server.isTLSActive)
        #expect(codes(server.receive(Array("MAIL FROM:<a@example.test>\r\n".utf8))) == [503])
        let again = server.receive(Array("EHLO c.test\r\n".utf8))
        guard case .reply(let secure) = again.first else { Issue.record("no EHLO reply"); return }
        #expect(!SMTPCapabilities(ehloReply: secure).contains("STARTTLS"))
        #expect(codes(server.receive(Array("STARTTLS\r\n".utf8))) == [502])
    }

    /// The replies among `events`, with every recipient and message accepted on the way.
    func settle(_ server: inout SMTPServerSession, _ events: [SMTPServerSession.Event], received: inout [SMTPReceivedMessage]) -> [SMTPReply] {
        var replies: [SMTPReply] = []
        var queue = events
        while !queue.isEmpty {
            switch queue.removeFirst() {
            case .reply(let reply): replies.append(reply)
            case .recipient: queue += server.resolveRecipient(SMTPReply(250, "2.1.5 OK"))
            case .message(let message):
                received.append(message)
                queue += server.resolveMessage(SMTPReply(250, "2.0.0 queued"))
            case .startTLS, .close: break
            }
        }
        return replies
    }

    @Test("The client state machine and the server session deliver a message to each other", arguments: [false, true])
    func clientAgainstServer(pipelining: Bool) throws {
        let content = Array("Subject: hi\n\n.leading dot\nlast".utf8)
        let message = try SMTPMessage(sender: "a@example.test", recipients: ["b@example.test", "c@example.test"], content: content)
        var configuration = SMTPClientStateMachine.Configuration(heloName: "client.test")
        configuration.requiresTLS = false
        configuration.usesPipelining = pipelining
        var client = try SMTPClientStateMachine(message: message, configuration: configuration)
        var server = session()
        var received: [SMTPReceivedMessage] = []
        var replies = settle(&server, server.start(), received: &received)
        var delivered = false
        while !replies.isEmpty {
            var toServer: [UInt8] = []
            for reply in replies {
                for action in client.receive(reply.encoded) {
                    switch action {
                    case .send(let bytes): toServer += bytes
                    case .delivered: delivered = true
                    case .fail(let error, _): Issue.record("client failed: \(error)")
                    case .startTLS: Issue.record("no STARTTLS was offered")
                    }
                }
            }
            replies = settle(&server, server.receive(toServer), received: &received)
        }
        #expect(delivered)
        #expect(server.isClosed)
        #expect(received.map(\.recipients) == [["b@example.test", "c@example.test"]])
        #expect(received.first?.content == Array("Subject: hi\r\n\r\n.leading dot\r\nlast\r\n".utf8))
    }
}
