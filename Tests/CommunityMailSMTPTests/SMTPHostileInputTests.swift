import CommunityMailSMTP
import CommunityMailTestSupport
import Testing

/// Mutated conversations thrown at both state machines: every outcome must be a reply, an
/// action or a typed error, never a trap, and nothing may buffer past its limits.
@Suite("SMTP state machines under hostile input")
struct SMTPHostileInputTests {
    static let serverTranscript = Array(
        "220 mx.test ESMTP\r\n250-mx.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 SIZE 100\r\n250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go\r\n250 2.0.0 queued\r\n".utf8)
    static let clientTranscript = Array(
        "EHLO c.test\r\nMAIL FROM:<a@example.test> SIZE=10\r\nRCPT TO:<b@example.test>\r\nDATA\r\n..x\r\ny\r\n.\r\nRSET\r\nVRFY a\r\nQUIT\r\n".utf8)

    @Test("The client state machine ends every mutated server transcript in an action or a typed failure")
    func clientMachine() throws {
        var mutator = ByteMutator(seeds: [Self.serverTranscript], seed: 14)
        var random = SplitMix64(seed: 25)
        let message = try SMTPMessage(sender: "a@example.test", recipients: ["b@example.test"], content: Array("x".utf8))
        for _ in 0..<2_000 {
            var configuration = SMTPClientStateMachine.Configuration(heloName: "c.test")
            configuration.requiresTLS = random.next() % 2 == 0
            var client = try SMTPClientStateMachine(message: message, configuration: configuration)
            let input = mutator.next()
            var offset = 0
            while offset < input.count, !client.isFinished {
                let size = Int(random.next() % 17) + 1
                let actions = client.receive(Array(input[offset..<min(offset + size, input.count)]))
                if actions.contains(.startTLS) { _ = client.tlsEstablished() }
                offset += size
            }
            if !client.isFinished {
                guard case .fail(let error, _) = client.connectionClosed().last else {
                    Issue.record("a closed connection did not fail the conversation")
                    continue
                }
                #expect(error.description.hasPrefix("SMTPError"))
            }
        }
    }

    @Test("The server session answers every mutated client transcript with replies, never a trap")
    func serverSession() {
        var mutator = ByteMutator(seeds: [Self.clientTranscript], seed: 15)
        var random = SplitMix64(seed: 26)
        for _ in 0..<2_000 {
            var configuration = SMTPServerSession.Configuration(serverName: "mx.test")
            configuration.maximumMessageSize = 64
            configuration.offersStartTLS = true
            var server = SMTPServerSession(configuration: configuration)
            let input = mutator.next()
            var offset = 0
            while offset < input.count, !server.isClosed {
                let size = Int(random.next() % 17) + 1
                var events = server.receive(Array(input[offset..<min(offset + size, input.count)]))
                // Decide whatever the session asks, so it reads on.
                while let event = events.popLast() {
                    switch event {
                    case .recipient: events += server.resolveRecipient(SMTPReply(250, "2.1.5 OK"))
                    case .message(let message):
                        #expect(message.content.count <= 64)
                        events += server.resolveMessage(SMTPReply(250, "2.0.0 OK"))
                    case .startTLS: events += server.tlsEstablished()
                    case .reply(let reply): #expect(SMTPReply.isValidCode(reply.code))
                    case .close: break
                    }
                }
                offset += size
            }
        }
    }
}
