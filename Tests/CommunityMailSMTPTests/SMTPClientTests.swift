import CommunityMailSMTP
import CommunityMailSystem
import Testing

@Suite("SMTPClient over an in-memory stream")
struct SMTPClientTests {
    let message: SMTPMessage

    init() throws {
        message = try SMTPMessage(
            sender: "noreply@example.test", recipients: ["a@example.test"], content: Array("Subject: hi\n\n.one\ntwo\n".utf8))
    }

    func client(_ configure: (inout SMTPClient.Configuration) -> Void = { _ in }) -> SMTPClient {
        var configuration = SMTPClient.Configuration()
        configuration.heloName = "client.test"
        configure(&configuration)
        return SMTPClient(configuration: configuration)
    }

    static func plainServer(_ line: String) -> String? {
        switch line.prefix(4).uppercased() {
        case "EHLO": "250-mx.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
        case "MAIL", "RCPT": "250 ok\r\n"
        case "DATA": "354 go ahead\r\n"
        case "QUIT": "221 bye\r\n"
        default: "500 5.5.1 unknown\r\n"
        }
    }

    @Test("A plaintext delivery: the server gets the dot-stuffed CRLF message and the client its reply")
    func delivers() async throws {
        let (near, far) = InMemoryByteStream.makePair()
        let server = ScriptedSMTPServer(stream: far)
        async let served: Void = server.serve(answer: Self.plainServer)
        let reply = try await client().send(message, over: near, security: .plaintext)
        await served
        #expect(reply.code == 250)
        #expect(reply.enhancedStatusCode?.description == "2.0.0")
        #expect(await server.messages == [Array("Subject: hi\r\n\r\n..one\r\ntwo\r\n".utf8)])
        #expect(await server.commands == [
            "EHLO client.test", "MAIL FROM:<noreply@example.test>", "RCPT TO:<a@example.test>", "DATA", "QUIT",
        ])
    }

    @Test("deliver: RCPTs go on after a refusal, the message goes to the rest, and the report has each reply", arguments: [false, true])
    func deliverPerRecipient(pipelining: Bool) async throws {
        let (near, far) = InMemoryByteStream.makePair()
        let server = ScriptedSMTPServer(stream: far)
        async let served: Void = server.serve { line in
            line == "RCPT TO:<refused@example.test>" ? "550 5.1.1 no such user\r\n" : Self.plainServer(line)
        }
        let threeRecipients = try SMTPMessage(
            sender: "noreply@example.test", recipients: ["a@example.test", "refused@example.test", "b@example.test"], content: message.content)
        let report = try await client { $0.usesPipelining = pipelining }.deliver(threeRecipients, over: near, security: .plaintext)
        await served
        #expect(report.replies.map(\.code) == [250, 550, 250])
        #expect(report.deliveredRecipients == [true, false, true])
        #expect(await server.messages.count == 1)
        #expect(await server.commands == [
            "EHLO client.test", "MAIL FROM:<noreply@example.test>", "RCPT TO:<a@example.test>", "RCPT TO:<refused@example.test>",
            "RCPT TO:<b@example.test>", "DATA", "QUIT",
        ])
    }

    @Test("deliver with every recipient refused: QUIT without DATA, and a report without a message reply")
    func deliverNoneAccepted() async throws {
        let (near, far) = InMemoryByteStream.makePair()
        let server = ScriptedSMTPServer(stream: far)
        async let served: Void = server.serve { line in line.hasPrefix("RCPT") ? "451 4.3.0 try later\r\n" : Self.plainServer(line) }
        let report = try await client().deliver(message, over: near, security: .plaintext)
        await served
        #expect(report.dataReply == nil)
        #expect(report.replies.map(\.code) == [451])
        #expect(await server.messages.isEmpty)
        #expect(await server.commands == ["EHLO client.test", "MAIL FROM:<noreply@example.test>", "RCPT TO:<a@example.test>", "QUIT"])
    }

    @Test("STARTTLS runs the upgrade after the 220 and greets again over the upgraded stream")
    func startTLS() async throws {
        let (near, far) = InMemoryByteStream.makePair()
        let server = ScriptedSMTPServer(stream: far)
        async let served: Void = server.serve { line in
            line == "STARTTLS" ? "220 2.0.0 ready\r\n" : line.hasPrefix("EHLO") ? "250-mx.test\r\n250 STARTTLS\r\n" : Self.plainServer(line)
        }
        let upgrades = Counter()
        // The in-memory "TLS" stream is the same pipe: what is tested is the order of steps.
        try await client().send(message, over: near, security: .startTLS { stream, _ throws(NetworkError) in
            await upgrades.increment()
            return stream
        })
        await served
        #expect(await upgrades.value == 1)
        #expect(await server.commands.prefix(3) == ["EHLO client.test", "STARTTLS", "EHLO client.test"])
        #expect(await server.messages.count == 1)
    }

    @Test("A rejected certificate is tlsFailed; nothing more is sent")
    func certificateRejected() async throws {
        let (near, far) = InMemoryByteStream.makePair()
        let server = ScriptedSMTPServer(stream: far)
        async let served: Void = server.serve { line in
            line == "STARTTLS" ? "220 2.0.0 ready\r\n" : "250-mx.test\r\n250 STARTTLS\r\n"
        }
        await #expect(throws: SMTPError.tlsFailed) {
            try await client().send(message, over: near, security: .startTLS { _, _ throws(NetworkError) in
                throw NetworkError.certificateRejected("certificate verify failed")
            })
        }
        await served
        #expect(await server.commands == ["EHLO client.test", "STARTTLS"])
    }

    @Test("A server that never greets is a transient timeout once the greeting deadline passes")
    func greetingTimeout() async throws {
        let (near, far) = InMemoryByteStream.makePair()
        let server = ScriptedSMTPServer(stream: far)
        async let served: Void = server.serve(greeting: "") { _ in nil }
        let error = await #expect(throws: SMTPError.timeout) {
            try await client { $0.timeouts.greeting = .milliseconds(50) }.send(message, over: near, security: .plaintext)
        }
        await served
        #expect(error?.isTransient == true)
        #expect(error?.networkError == NetworkError.timedOut(""))
    }

    @Test("A refusal after DATA carries its codes, and QUIT still goes")
    func refusedMessage() async throws {
        let (near, far) = InMemoryByteStream.makePair()
        let server = ScriptedSMTPServer(stream: far)
        async let served: Void = server.serve(afterData: "552 5.3.4 message too big\r\n", answer: Self.plainServer)
        let error = await #expect(throws: SMTPError.rejected) {
            try await client().send(message, over: near, security: .plaintext)
        }
        await served
        #expect(error?.replyCode == 552)
        #expect(await server.commands.last == "QUIT")
    }
}

/// Counts calls across tasks.
actor Counter {
    private(set) var value = 0
    func increment() { value += 1 }
}
