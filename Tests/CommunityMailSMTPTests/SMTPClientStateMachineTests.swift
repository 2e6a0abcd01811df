import CommunityMailSMTP
import Testing

@Suite("SMTPClientStateMachine")
struct SMTPClientStateMachineTests {
    static let content = Array("Subject: hi\r\n\r\nHello\r\n.dot line\r\n".utf8)

    func machine(
        recipients: [String] = ["a@example.test", "b@example.test"], content: [UInt8] = content,
        configure: (inout SMTPClientStateMachine.Configuration) -> Void = { $0.requiresTLS = false }
    ) throws -> SMTPClientStateMachine {
        var configuration = SMTPClientStateMachine.Configuration(heloName: "client.test")
        configure(&configuration)
        let message = try SMTPMessage(sender: "noreply@example.test", recipients: recipients, content: content)
        return try SMTPClientStateMachine(message: message, configuration: configuration)
    }

    func send(_ text: String) -> SMTPClientStateMachine.Action { .send(Array(text.utf8)) }

    func failure(_ actions: [SMTPClientStateMachine.Action]) -> (error: SMTPError, sendsQuit: Bool)? {
        guard case .fail(let error, let sendsQuit) = actions.last else { return nil }
        return (error, sendsQuit)
    }

    @Test("Without PIPELINING: greeting, EHLO, MAIL, one RCPT per reply, DATA, the stuffed message, QUIT")
    func lockstep() throws {
        var client = try machine()
        #expect(client.stage == .greeting)
        #expect(client.receive(Array("220 mx.test ESMTP\r\n".utf8)) == [send("EHLO client.test\r\n")])
        #expect(client.receive(Array("250-mx.test\r\n250-SIZE 0\r\n250 8BITMIME\r\n".utf8)) == [send("MAIL FROM:<noreply@example.test> SIZE=33\r\n")])
        #expect(client.stage == .mail)
        #expect(client.receive(Array("250 2.1.0 ok\r\n".utf8)) == [send("RCPT TO:<a@example.test>\r\n")])
        #expect(client.stage == .recipient)
        #expect(client.receive(Array("250 2.1.5 ok\r\n".utf8)) == [send("RCPT TO:<b@example.test>\r\n")])
        #expect(client.receive(Array("251 2.1.5 will forward\r\n".utf8)) == [send("DATA\r\n")])
        #expect(client.stage == .dataInitiation)
        #expect(client.receive(Array("354 go ahead\r\n".utf8)) == [send("Subject: hi\r\n\r\nHello\r\n..dot line\r\n.\r\n")])
        #expect(client.stage == .dataTermination)
        let accepted = SMTPReply(250, "2.0.0 queued as 1")
        let report = SMTPDeliveryReport(recipientReplies: [SMTPReply(250, "2.1.5 ok"), SMTPReply(251, "2.1.5 will forward")], dataReply: accepted)
        #expect(client.receive(Array("250 2.0.0 queued as 1\r\n".utf8)) == [send("QUIT\r\n"), .delivered(report)])
        #expect(report.isDeliveredToEveryRecipient)
        #expect(client.isFinished)
        #expect(client.receive(Array("221 bye\r\n".utf8)) == [])
    }

    @Test("Replies fed one byte at a time give the same conversation")
    func byteAtATime() throws {
        var client = try machine(recipients: ["a@example.test"])
        var actions: [SMTPClientStateMachine.Action] = []
        let server = "220 mx.test\r\n250 mx.test\r\n250 ok\r\n250 ok\r\n354 go\r\n250 done\r\n"
        for byte in server.utf8 { actions += client.receive([byte]) }
        #expect(actions.count == 7)  // EHLO, MAIL, RCPT, DATA, the message, QUIT, delivered
        #expect(actions.last == .delivered(SMTPDeliveryReport(recipientReplies: [SMTPReply(250, "ok")], dataReply: SMTPReply(250, "done"))))
    }

    @Test("With PIPELINING, MAIL and every RCPT go in one write (RFC 2920); DATA once their replies are in")
    func pipelining() throws {
        var client = try machine()
        _ = client.receive(Array("220 mx.test\r\n".utf8))
        let batch = client.receive(Array("250-mx.test\r\n250 PIPELINING\r\n".utf8))
        #expect(batch == [send("MAIL FROM:<noreply@example.test>\r\nRCPT TO:<a@example.test>\r\nRCPT TO:<b@example.test>\r\n")])
        #expect(client.stage == .mail)
        #expect(client.receive(Array("250 ok\r\n250 ok\r\n".utf8)) == [])
        #expect(client.stage == .recipient)
        #expect(client.receive(Array("250 ok\r\n".utf8)) == [send("DATA\r\n")])
        #expect(client.stage == .dataInitiation)
        #expect(client.receive(Array("354 go\r\n".utf8)) == [send("Subject: hi\r\n\r\nHello\r\n..dot line\r\n.\r\n")])
    }

    @Test("With PIPELINING and every recipient required, a refused recipient stops the message: no DATA, QUIT")
    func pipelinedRefusal() throws {
        var client = try machine()
        _ = client.receive(Array("220 mx.test\r\n250-mx.test\r\n250 PIPELINING\r\n".utf8))
        let actions = client.receive(Array("250 ok\r\n550 5.1.1 <a@example.test>: no such user\r\n250 ok\r\n".utf8))
        let (error, sendsQuit) = try #require(failure(actions))
        #expect(actions.count == 1)
        #expect(error == .rejected)
        #expect(error.replyCode == 550)
        #expect(error.enhancedStatusCode?.description == "5.1.1")
        #expect(!error.isTransient)
        #expect(sendsQuit)
        #expect(!error.description.contains("example.test"))
    }

    @Test("With PIPELINING, a refused sender is the error once every RCPT's reply is in, and QUIT goes")
    func pipelinedSenderRefused() throws {
        var client = try machine(recipients: ["a@example.test"])
        _ = client.receive(Array("220 mx.test\r\n250-mx.test\r\n250 PIPELINING\r\n".utf8))
        let actions = client.receive(Array("451 4.3.0 try later\r\n503 5.5.1 no sender\r\n".utf8))
        let (error, sendsQuit) = try #require(failure(actions))
        #expect(error.replyCode == 451)
        #expect(error.isTransient)
        #expect(sendsQuit)
    }

    @Test("A 4xx to RCPT is a transient rejection; a 5xx a permanent one")
    func recipientClasses() throws {
        for (code, transient) in [(450, true), (550, false)] {
            var client = try machine()
            _ = client.receive(Array("220 mx.test\r\n250 mx.test\r\n250 ok\r\n".utf8))
            let (error, sendsQuit) = try #require(failure(client.receive(Array("\(code) mailbox busy\r\n".utf8))))
            #expect(error == .rejected)
            #expect(error.replyCode == code)
            #expect(error.isTransient == transient)
            #expect(sendsQuit)
        }
    }

    @Test("A 554 greeting is refused with QUIT (RFC 5321 section 3.1)")
    func refusedGreeting() throws {
        var client = try machine()
        let (error, sendsQuit) = try #require(failure(client.receive(Array("554 5.7.1 go away\r\n".utf8))))
        #expect(error == .rejected)
        #expect(error.replyCode == 554)
        #expect(error.refusedSession)
        #expect(sendsQuit)
    }

    @Test("Refusals before MAIL (EHLO and then HELO refused) are session refusals; a refused sender or recipient is not")
    func sessionRefusals() throws {
        var hello = try machine()
        _ = hello.receive(Array("220 old.test\r\n550 5.7.1 not you\r\n".utf8))
        let (heloError, _) = try #require(failure(hello.receive(Array("550 5.7.1 not you either\r\n".utf8))))
        #expect(heloError == .rejected && heloError.refusedSession && heloError.replyCode == 550)
        var sender = try machine()
        _ = sender.receive(Array("220 mx.test\r\n250 mx.test\r\n".utf8))
        let (senderError, _) = try #require(failure(sender.receive(Array("550 5.7.1 no sender\r\n".utf8))))
        #expect(senderError == .rejected && !senderError.refusedSession)
        var recipient = try machine()
        _ = recipient.receive(Array("220 mx.test\r\n250 mx.test\r\n250 ok\r\n".utf8))
        let (recipientError, _) = try #require(failure(recipient.receive(Array("550 5.1.1 no user\r\n".utf8))))
        #expect(recipientError == .rejected && !recipientError.refusedSession)
    }

    @Test("A server that refuses EHLO gets HELO (RFC 5321 section 4.1.4), and no extension is assumed")
    func heloFallback() throws {
        var client = try machine()
        _ = client.receive(Array("220 old.test\r\n".utf8))
        #expect(client.receive(Array("502 5.5.2 command not recognized\r\n".utf8)) == [send("HELO client.test\r\n")])
        #expect(client.receive(Array("250 old.test\r\n".utf8)) == [send("MAIL FROM:<noreply@example.test>\r\n")])
        #expect(client.capabilities == SMTPCapabilities())
    }

    @Test("TLS required, STARTTLS not offered: tlsUnavailable before any MAIL")
    func tlsUnavailable() throws {
        var client = try machine { _ in }
        let actions = client.receive(Array("220 mx.test\r\n250-mx.test\r\n250 PIPELINING\r\n".utf8))
        let (error, sendsQuit) = try #require(failure(actions))
        #expect(error == .tlsUnavailable)
        #expect(sendsQuit)
        #expect(actions.count == 2)  // EHLO, then the failure
    }

    @Test("STARTTLS: plaintext after the 220 is discarded (RFC 3207 section 4.2), EHLO again over TLS, capabilities forgotten")
    func startTLS() throws {
        var client = try machine(recipients: ["a@example.test"]) { _ in }
        _ = client.receive(Array("220 mx.test\r\n".utf8))
        #expect(client.receive(Array("250-mx.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n".utf8)) == [send("STARTTLS\r\n")])
        #expect(client.stage == .startTLS)
        #expect(client.receive(Array("220 2.0.0 ready\r\n250-injected\r\n250 AUTH PLAIN\r\n".utf8)) == [.startTLS])
        #expect(client.stage == .tlsHandshake)
        #expect(client.receive(Array("250 more plaintext\r\n".utf8)) == [])
        #expect(client.capabilities.contains("PIPELINING"))
        #expect(client.tlsEstablished() == [send("EHLO client.test\r\n")])
        #expect(client.isTLSActive)
        #expect(client.capabilities == SMTPCapabilities())
        // Had the injected lines been kept, this reply would be taken for MAIL's.
        #expect(client.receive(Array("250 mx.test\r\n".utf8)) == [send("MAIL FROM:<noreply@example.test>\r\n")])
    }

    @Test("STARTTLS refused with 454 is a transient tlsUnavailable")
    func startTLSRefused() throws {
        var client = try machine { _ in }
        _ = client.receive(Array("220 mx.test\r\n250-mx.test\r\n250 STARTTLS\r\n".utf8))
        let (error, _) = try #require(failure(client.receive(Array("454 4.7.0 TLS not available\r\n".utf8))))
        #expect(error == .tlsUnavailable)
        #expect(error.isTransient)
    }

    @Test("Opportunistic STARTTLS: sent when offered, skipped (plaintext MAIL) when not")
    func opportunisticStartTLS() throws {
        var offered = try machine(recipients: ["a@example.test"]) { $0.requiresTLS = false; $0.startsTLSWhenOffered = true }
        #expect(offered.receive(Array("220 mx.test\r\n250-mx.test\r\n250 STARTTLS\r\n".utf8)) == [send("EHLO client.test\r\n"), send("STARTTLS\r\n")])
        #expect(offered.receive(Array("220 go\r\n".utf8)) == [.startTLS])
        #expect(offered.tlsEstablished() == [send("EHLO client.test\r\n")])
        // Over TLS the second EHLO reply need not offer STARTTLS again, and it is not sent twice.
        #expect(offered.receive(Array("250 mx.test\r\n".utf8)) == [send("MAIL FROM:<noreply@example.test>\r\n")])
        var missing = try machine(recipients: ["a@example.test"]) { $0.requiresTLS = false; $0.startsTLSWhenOffered = true }
        #expect(missing.receive(Array("220 mx.test\r\n250 mx.test\r\n".utf8)) == [send("EHLO client.test\r\n"), send("MAIL FROM:<noreply@example.test>\r\n")])
        #expect(!missing.isTLSActive)
    }

    @Test("Implicit TLS: TLS is on from the start, STARTTLS is never sent (even when offered and TLS is required), AUTH may go")
    func implicitTLS() throws {
        let credentials = SMTPCredentials(username: "alice", password: "secret")
        var client = try machine(recipients: ["a@example.test"]) { $0.isImplicitTLS = true; $0.credentials = credentials }
        #expect(client.isTLSActive)
        #expect(client.receive(Array("220 mx.test\r\n250-mx.test\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n".utf8))
            == [send("EHLO client.test\r\n"), send("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n")])
    }

    @Test("AUTH PLAIN after TLS carries the RFC 4616 initial response; 535 is a permanent authenticationFailed")
    func authenticationPlain() throws {
        let credentials = SMTPCredentials(username: "alice", password: "secret")
        for (answer, succeeds) in [("235 2.7.0 ok", true), ("535 5.7.8 bad credentials", false)] {
            var client = try machine { $0.credentials = credentials }
            _ = client.receive(Array("220 mx.test\r\n250-mx.test\r\n250 STARTTLS\r\n220 go\r\n".utf8))
            _ = client.tlsEstablished()
            // base64("\0alice\0secret")
            #expect(client.receive(Array("250-mx.test\r\n250 AUTH LOGIN PLAIN\r\n".utf8)) == [send("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n")])
            let actions = client.receive(Array("\(answer)\r\n".utf8))
            if succeeds {
                #expect(actions == [send("MAIL FROM:<noreply@example.test>\r\n")])
            } else {
                let (error, _) = try #require(failure(actions))
                #expect(error == .authenticationFailed)
                #expect(!error.isTransient)
                #expect(!error.description.contains("secret") && !error.description.contains("alice"))
            }
        }
        #expect(!"\(credentials)".contains("secret"))
    }

    @Test("Credentials never go in plaintext unless allowed, nor to a server without AUTH PLAIN")
    func authenticationRefusedLocally() throws {
        let credentials = SMTPCredentials(username: "alice", password: "secret")
        var plaintext = try machine { $0.requiresTLS = false; $0.credentials = credentials }
        let (insecure, _) = try #require(failure(plaintext.receive(Array("220 mx.test\r\n250-mx.test\r\n250 AUTH PLAIN\r\n".utf8))))
        #expect(insecure == .insecureConfiguration)
        var noPlain = try machine { $0.requiresTLS = false; $0.credentials = credentials; $0.allowsPlaintextAuthentication = true }
        let (missing, _) = try #require(failure(noPlain.receive(Array("220 mx.test\r\n250-mx.test\r\n250 AUTH CRAM-MD5\r\n".utf8))))
        #expect(missing == .authenticationFailed)
    }

    @Test("8-bit content needs 8BITMIME, non-ASCII addresses or headers need SMTPUTF8; both are asked for when offered")
    func eightBitAndUTF8() throws {
        let eightBit = Array("Subject: hi\r\n\r\nNúñez\r\n".utf8)
        var refused = try machine(content: eightBit)
        let (error, sendsQuit) = try #require(failure(refused.receive(Array("220 mx.test\r\n250 mx.test\r\n".utf8))))
        #expect(error == .extensionUnavailable)
        #expect(sendsQuit)
        var accepted = try machine(content: eightBit)
        #expect(accepted.receive(Array("220 mx.test\r\n250-mx.test\r\n250 8BITMIME\r\n".utf8)) == [send("EHLO client.test\r\n"), send("MAIL FROM:<noreply@example.test> BODY=8BITMIME\r\n")])

        let utf8Header = Array("Subject: Núñez\r\n\r\nplain\r\n".utf8)
        var noUTF8 = try machine(content: utf8Header)
        #expect(try #require(failure(noUTF8.receive(Array("220 mx.test\r\n250-mx.test\r\n250 8BITMIME\r\n".utf8)))).error == .extensionUnavailable)
        var withUTF8 = try machine(recipients: ["ana@núñez.test"], content: Array("Subject: x\r\n\r\nplain\r\n".utf8))
        #expect(withUTF8.receive(Array("220 mx.test\r\n250-mx.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n".utf8)) == [send("EHLO client.test\r\n"), send("MAIL FROM:<noreply@example.test> SMTPUTF8\r\n")])
    }

    @Test("A message over the server's SIZE is not offered (RFC 1870)")
    func sizeLimit() throws {
        var client = try machine()
        let (error, _) = try #require(failure(client.receive(Array("220 mx.test\r\n250-mx.test\r\n250 SIZE 10\r\n".utf8))))
        #expect(error == .extensionUnavailable)
        // What is missing, for a relay to answer 552 5.3.4 (RFC 1870, RFC 3463), not 5.6.7.
        #expect(error.enhancedStatusCode == "5.3.4")
        #expect(!error.isTransient)
    }

    @Test("A 2xx to DATA is not the message's reply: no byte was sent, so it is a malformed conversation, never a delivery", arguments: [false, true])
    func positiveReplyToData(pipelining: Bool) throws {
        var client = try reporting(pipelining: pipelining)
        let replies = pipelining
            ? "220 mx.test\r\n250-mx.test\r\n250 PIPELINING\r\n250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n"
            : "220 mx.test\r\n250 mx.test\r\n250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n"
        _ = client.receive(Array(replies.utf8))
        let (error, sendsQuit) = try #require(failure(client.receive(Array("250 2.0.0 queued\r\n".utf8))))
        #expect(error == .malformedReply)
        #expect(sendsQuit)
    }

    @Test("Any 2xx to RCPT accepts (RFC 5321 4.2.1: the first digit decides); an accepted recipient without a message reply does not read as delivered")
    func positiveRecipientReplies() {
        let report = SMTPDeliveryReport(
            recipientReplies: [SMTPReply(250, "2.1.5 ok"), SMTPReply(252, "2.1.5 cannot verify")], dataReply: SMTPReply(250, "2.0.0 queued"))
        #expect(report.replies.map(\.code) == [250, 250])
        #expect(report.deliveredRecipients == [true, true])
        let noMessageReply = SMTPDeliveryReport(recipientReplies: [SMTPReply(250, "2.1.5 ok")], dataReply: nil)
        #expect(noMessageReply.replies.map(\.code) == [451])
    }

    @Test("The server closing mid-conversation is a transient protocolError; a malformed reply a malformedReply")
    func brokenConversations() throws {
        var closed = try machine()
        _ = closed.receive(Array("220 mx.test\r\n".utf8))
        let (error, _) = try #require(failure(closed.connectionClosed()))
        #expect(error == .protocolError)
        #expect(error.isTransient)

        var garbage = try machine()
        let (malformed, sendsQuit) = try #require(failure(garbage.receive(Array("HTTP/1.1 400 Bad Request\r\n".utf8))))
        #expect(malformed == .malformedReply)
        #expect(!sendsQuit)
        #expect(garbage.isFinished)
    }

    @Test("An EHLO name that could inject a command is refused")
    func hostileHeloName() throws {
        let message = try SMTPMessage(sender: "", recipients: ["a@example.test"], content: Array("x\r\n".utf8))
        for name in ["", "client.test\r\nRSET", "two words"] {
            #expect(throws: SMTPError.invalidAddress) {
                try SMTPClientStateMachine(message: message, configuration: .init(heloName: name))
            }
        }
    }

    // MARK: per-recipient delivery (requiresEveryRecipient = false)

    func reporting(pipelining: Bool, recipients: [String] = ["a@example.test", "b@example.test", "c@example.test"]) throws -> SMTPClientStateMachine {
        try machine(recipients: recipients) {
            $0.requiresTLS = false
            $0.requiresEveryRecipient = false
            $0.usesPipelining = pipelining
        }
    }

    @Test("Per recipient, without PIPELINING: RCPTs go on after a refusal, DATA goes to the accepted, the report aligns with the recipients")
    func reportLockstep() throws {
        var client = try reporting(pipelining: false)
        _ = client.receive(Array("220 mx.test\r\n250 mx.test\r\n".utf8))
        #expect(client.receive(Array("250 ok\r\n".utf8)) == [send("RCPT TO:<a@example.test>\r\n")])
        #expect(client.receive(Array("550 5.1.1 no such user\r\n".utf8)) == [send("RCPT TO:<b@example.test>\r\n")])
        #expect(client.receive(Array("250 2.1.5 ok\r\n".utf8)) == [send("RCPT TO:<c@example.test>\r\n")])
        #expect(client.receive(Array("451 4.2.1 busy\r\n".utf8)) == [send("DATA\r\n")])
        #expect(client.receive(Array("354 go\r\n".utf8)) == [send("Subject: hi\r\n\r\nHello\r\n..dot line\r\n.\r\n")])
        let actions = client.receive(Array("250 2.0.0 queued\r\n".utf8))
        #expect(actions.first == send("QUIT\r\n"))
        guard case .delivered(let report) = actions.last else { Issue.record("no report: \(actions)"); return }
        #expect(report.recipientReplies.map(\.code) == [550, 250, 451])
        #expect(report.dataReply?.code == 250)
        #expect(report.replies.map(\.code) == [550, 250, 451])
        #expect(report.deliveredRecipients == [false, true, false])
        #expect(!report.isDeliveredToEveryRecipient)
        #expect(client.isFinished)
    }

    @Test("Per recipient, with PIPELINING: one write of MAIL and RCPTs, DATA after their replies, the same report")
    func reportPipelined() throws {
        var client = try reporting(pipelining: true)
        let batch = client.receive(Array("220 mx.test\r\n250-mx.test\r\n250 PIPELINING\r\n".utf8))
        #expect(batch == [send("EHLO client.test\r\n"), send("MAIL FROM:<noreply@example.test>\r\nRCPT TO:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<c@example.test>\r\n")])
        #expect(client.receive(Array("250 ok\r\n450 4.2.0 greylisted\r\n250 ok\r\n250 ok\r\n".utf8)) == [send("DATA\r\n")])
        _ = client.receive(Array("354 go\r\n".utf8))
        guard case .delivered(let report) = client.receive(Array("250 done\r\n".utf8)).last else { Issue.record("no report"); return }
        #expect(report.replies.map(\.code) == [450, 250, 250])
        #expect(report.deliveredRecipients == [false, true, true])
    }

    @Test("Per recipient, none accepted: no DATA, QUIT, and a report without a message reply", arguments: [false, true])
    func reportNoneAccepted(pipelining: Bool) throws {
        var client = try reporting(pipelining: pipelining, recipients: ["a@example.test", "b@example.test"])
        var actions = client.receive(Array("220 mx.test\r\n250-mx.test\r\n250 PIPELINING\r\n250 ok\r\n".utf8))
        actions += client.receive(Array("550 5.1.1 unknown\r\n".utf8))
        actions += client.receive(Array("451 4.3.0 later\r\n".utf8))
        let sent = actions.compactMap { action -> String? in
            if case .send(let bytes) = action { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }
        #expect(!sent.contains { $0.contains("DATA") })
        #expect(sent.last == "QUIT\r\n")
        guard case .delivered(let report) = actions.last else { Issue.record("no report: \(actions)"); return }
        #expect(report.dataReply == nil)
        #expect(report.replies.map(\.code) == [550, 451])
        #expect(report.deliveredRecipients == [false, false])
        #expect(client.isFinished)
    }

    @Test("Per recipient: a refused DATA or a refused message is the accepted recipients' reply, not a failure")
    func reportRefusedMessage() throws {
        var refusedData = try reporting(pipelining: false, recipients: ["a@example.test", "b@example.test"])
        _ = refusedData.receive(Array("220 mx.test\r\n250 mx.test\r\n250 ok\r\n550 no\r\n250 ok\r\n".utf8))
        let dataActions = refusedData.receive(Array("554 5.5.1 no valid recipients\r\n".utf8))
        #expect(dataActions.first == send("QUIT\r\n"))
        guard case .delivered(let first) = dataActions.last else { Issue.record("no report"); return }
        #expect(first.replies.map(\.code) == [550, 554])

        var refusedMessage = try reporting(pipelining: false, recipients: ["a@example.test", "b@example.test"])
        _ = refusedMessage.receive(Array("220 mx.test\r\n250 mx.test\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n".utf8))
        guard case .delivered(let second) = refusedMessage.receive(Array("451 4.3.0 queue full\r\n".utf8)).last else { Issue.record("no report"); return }
        #expect(second.replies.map(\.code) == [451, 451])
        #expect(second.dataReply?.enhancedStatusCode?.description == "4.3.0")
        #expect(second.deliveredRecipients == [false, false])
    }

    @Test("Per recipient: a refused sender still fails the conversation (no recipient can have the message)")
    func reportSenderRefused() throws {
        var client = try reporting(pipelining: false)
        _ = client.receive(Array("220 mx.test\r\n250 mx.test\r\n".utf8))
        let (error, sendsQuit) = try #require(failure(client.receive(Array("550 5.7.1 sender blocked\r\n".utf8))))
        #expect(error == .rejected)
        #expect(error.replyCode == 550)
        #expect(sendsQuit)
    }

    @Test("Every recipient required, without PIPELINING: the first refused RCPT ends it; no further RCPT, no DATA")
    func requiredStopsAtFirstRefusal() throws {
        var client = try machine(recipients: ["a@example.test", "b@example.test", "c@example.test"])
        _ = client.receive(Array("220 mx.test\r\n250 mx.test\r\n250 ok\r\n250 ok\r\n".utf8))
        let actions = client.receive(Array("452 4.5.3 too many\r\n".utf8))
        #expect(actions.count == 1)
        let (error, sendsQuit) = try #require(failure(actions))
        #expect(error.replyCode == 452)
        #expect(sendsQuit)
    }
}
