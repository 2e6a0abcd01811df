import AliasStore
import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailForwarder
import Testing

/// ForwarderServer over in-memory streams: the reply to every RCPT outcome, the limits, the
/// DATA answer after the relay, and what the relay is handed.
@Suite("ForwarderServer sessions")
struct ForwarderServerTests {
    static let message = "From: Alice <alice@origin.example>\r\nSubject: hello\r\n\r\n.a line that starts with a dot\r\nNúñez\r\n"

    @Test("Each RCPT outcome gets its reply: aliases, the store's refusals, relay denied, SRS bounces")
    func recipientOutcomes() async throws {
        let fixture = try await ForwarderFixture()
        let bounceAddress = try fixture.srs.forward("alice@origin.example")
        #expect(bounceAddress.hasPrefix("SRS0="))
        var forged = Array(bounceAddress)
        forged[5] = forged[5] == "A" ? "B" : "A"  // the hash's first character
        let expected: [(String, String)] = [
            ("ana@example.org", "250 2.1.5"),
            ("ANA+tag@Example.ORG", "250 2.1.5"),
            ("nobody@example.org", "550 5.1.1"),
            ("parked@example.org", "550 5.2.1"),
            ("carol@example.org", "550 5.7.1"),
            ("pending@pending.test", "550 5.7.1"),
            ("loop-a@example.org", "550 5.4.6"),
            ("someone@elsewhere.example", "550 5.7.1"),
            ("someone@srs.example.net", "550 5.7.1"),
            (bounceAddress, "250 2.1.5"),
            (String(forged), "550 5.1.1"),
            ("SRS0=abcd=AA=x.example=y@srs.example.net", "550 5.1.1"),
        ]
        let statuses = try await fixture.session { smtp in
            try await smtp.begin(from: "alice@origin.example", to: expected.map(\.0))
        }
        for ((address, status), got) in zip(expected, statuses) {
            #expect(got == status, "\(address)")
        }
        #expect(statuses.count == expected.count)
        #expect(fixture.relay.envelopes.isEmpty)
    }

    @Test("A store that cannot be read gives 451 4.3.0 (transient), never a 5xx")
    func storageFailure() async throws {
        let folder = try TemporaryDirectory(prefix: "forwarder-store")
        let store = try SQLiteAliasStore(path: folder.path("aliases.sqlite"))
        try await ForwarderFixture.seed(store)
        await store.close()
        let srs = try SRSRewriter(configuration: .init(domain: "srs.example.net", secrets: ["s"]))
        let decision = await AliasRecipientPolicy(aliases: store, srs: srs).decide("ana@example.org")
        #expect(decision.reply.code == 451)
        #expect(decision.reply.enhancedStatusCode == "4.3.0")
    }

    @Test("The envelope sender becomes SRS0, recipients are the aliases' targets once each, and the bytes arrive unchanged after our Received field")
    func forwardedEnvelope() async throws {
        let fixture = try await ForwarderFixture()
        let status = try await fixture.session { smtp in
            let statuses = try await smtp.begin(from: "alice@origin.example", to: ["team@example.org", "ana@example.org"])
            #expect(statuses == ["250 2.1.5", "250 2.1.5"])
            return try await smtp.data(Self.message)
        }
        #expect(status == "250 2.0.0")
        let envelope = try #require(fixture.relay.envelopes.first)
        #expect(fixture.relay.envelopes.count == 1)
        #expect(envelope.sender.hasPrefix("SRS0="))
        #expect(envelope.sender.hasSuffix("=origin.example=alice@srs.example.net"))
        #expect(try fixture.srs.reverse(envelope.sender) == "alice@origin.example")
        #expect(envelope.recipients == ["ana@home.example", "bob@home.example"])
        let original = Array(Self.message.utf8)
        #expect(envelope.content.count > original.count)
        #expect(Array(envelope.content.suffix(original.count)) == original)
        let added = String(decoding: envelope.content.prefix(envelope.content.count - original.count), as: UTF8.self)
        #expect(added.hasPrefix("Received: from client.example\r\n\tby mx.example.net with ESMTP;\r\n\t"))
        #expect(added.hasSuffix(" +0000\r\n"))
        // Privacy: no address (sender, recipient, client's IP) in our trace field.
        #expect(!added.contains("@"))
        #expect(!added.contains("127.0.0.1"))
    }

    @Test("A sender on our own domains and the null sender are not rewritten; a bounce to our SRS address goes to the original sender")
    func sendersLeftAlone() async throws {
        let fixture = try await ForwarderFixture()
        let bounce = try fixture.srs.forward("alice@origin.example")
        try await fixture.session { smtp in
            _ = try await smtp.begin(from: "bob@example.org", to: ["ana@example.org"])
            #expect(try await smtp.data(Self.message) == "250 2.0.0")
            _ = try await smtp.send("MAIL FROM:<>")
            #expect(TestSMTPClient.status(try await smtp.send("RCPT TO:<\(bounce)>")) == "250 2.1.5")
            #expect(try await smtp.data("Subject: bounce\r\n\r\nreturned\r\n") == "250 2.0.0")
        }
        let envelopes = fixture.relay.envelopes
        #expect(envelopes.map(\.sender) == ["bob@example.org", ""])
        #expect(envelopes.map(\.recipients) == [["ana@home.example"], ["alice@origin.example"]])
    }

    @Test("The 51st RCPT gets 452 4.5.3; the 50 before it are taken")
    func recipientLimit() async throws {
        let fixture = try await ForwarderFixture()
        let statuses = try await fixture.session { smtp in
            try await smtp.begin(from: "alice@origin.example", to: Array(repeating: "ana@example.org", count: 51))
        }
        #expect(statuses.prefix(50).allSatisfy { $0 == "250 2.1.5" })
        #expect(statuses.last == "452 4.5.3")
    }

    @Test("Oversize: SIZE above the limit in MAIL and a message that grows past it both get 552; nothing is relayed")
    func oversize() async throws {
        let fixture = try await ForwarderFixture { $0.maximumMessageSize = 1_000 }
        try await fixture.session { smtp in
            let ehlo = try await smtp.send("EHLO client.example")
            #expect(ehlo.contains("SIZE 1000"))
            #expect(TestSMTPClient.status(try await smtp.send("MAIL FROM:<alice@origin.example> SIZE=1001")) == "552 5.3.4")
            _ = try await smtp.send("MAIL FROM:<alice@origin.example> SIZE=900")
            _ = try await smtp.send("RCPT TO:<ana@example.org>")
            let big = "Subject: big\r\n\r\n" + String(repeating: "0123456789\r\n", count: 100)
            #expect(try await smtp.data(big) == "552 5.3.4")
        }
        #expect(fixture.relay.envelopes.isEmpty)
    }

    @Test("The default configuration announces 50 MB")
    func defaultSize() async throws {
        let fixture = try await ForwarderFixture()
        let ehlo = try await fixture.session { smtp in try await smtp.send("EHLO client.example") }
        #expect(ehlo.contains("SIZE \(50 * 1024 * 1024)"))
        #expect(ehlo.contains("PIPELINING") && ehlo.contains("ENHANCEDSTATUSCODES") && ehlo.contains("SMTPUTF8"))
        #expect(!ehlo.contains("STARTTLS"))
    }

    @Test("A downstream 451 is 451 to the sender; a downstream 550 for one of two is 550; 250 only when all accepted")
    func downstreamReplies() async throws {
        let fixture = try await ForwarderFixture()
        fixture.relay.answer(SMTPReply(code: 451, enhancedStatusCode: "4.2.0", text: "greylisted <slow@home.example>"), for: "slow@home.example")
        let statuses = try await fixture.session { smtp in
            var statuses: [String] = []
            _ = try await smtp.begin(from: "alice@origin.example", to: ["slow@example.org", "ana@example.org"])
            statuses.append(try await smtp.data(Self.message))
            fixture.relay.answer(SMTPReply(code: 550, enhancedStatusCode: "5.1.1", text: "no such user"), for: "slow@home.example")
            _ = try await smtp.send("MAIL FROM:<alice@origin.example>")
            _ = try await smtp.send("RCPT TO:<slow@example.org>")
            _ = try await smtp.send("RCPT TO:<ana@example.org>")
            statuses.append(try await smtp.data(Self.message))
            fixture.relay.answer(nil, for: "slow@home.example")
            _ = try await smtp.send("MAIL FROM:<alice@origin.example>")
            _ = try await smtp.send("RCPT TO:<slow@example.org>")
            statuses.append(try await smtp.data(Self.message))
            return statuses
        }
        #expect(statuses == ["451 4.2.0", "550 5.1.1", "250 2.0.0"])
        #expect(fixture.relay.envelopes.count == 3)
    }

    @Test("The downstream reply's text (which may name the alias's targets) does not reach the sender")
    func downstreamTextKept() async throws {
        let fixture = try await ForwarderFixture()
        fixture.relay.answerEveryMessage(SMTPReply(code: 451, enhancedStatusCode: "4.2.0", text: "mailbox <ana@home.example> busy"))
        let reply = try await fixture.session { smtp in
            _ = try await smtp.begin(from: "alice@origin.example", to: ["ana@example.org"])
            _ = try await smtp.send("DATA")
            try await smtp.write(Array("Subject: x\r\n\r\nbody\r\n.\r\n".utf8))
            return try await smtp.reply()
        }
        #expect(reply.hasPrefix("451 4.2.0"))
        #expect(!reply.contains("home.example"))
    }

    @Test("More than 25 Received fields is a loop: 554 5.4.6 and nothing relayed; 25 pass")
    func receivedLoop() async throws {
        let fixture = try await ForwarderFixture()
        func message(hops: Int) -> String {
            (0..<hops).map { "Received: from hop\($0).example by hop\($0 + 1).example; Mon, 7 Dec 2026 01:00:00 +0000\r\n" }.joined()
                + "reCEIved : from obsolete.example\r\n\tby folded.example\r\nSubject: loop\r\n\r\nReceived: not a header, in the body\r\n"
        }
        let statuses = try await fixture.session { smtp in
            _ = try await smtp.begin(from: "alice@origin.example", to: ["ana@example.org"])
            let looped = try await smtp.data(message(hops: 25))
            _ = try await smtp.send("MAIL FROM:<alice@origin.example>")
            _ = try await smtp.send("RCPT TO:<ana@example.org>")
            let passed = try await smtp.data(message(hops: 24))
            return [looped, passed]
        }
        #expect(statuses == ["554 5.4.6", "250 2.0.0"])
        #expect(fixture.relay.envelopes.count == 1)
    }

    @Test("Bare LF in DATA is refused (550 5.6.11) and nothing is relayed; the session goes on")
    func bareLineFeed() async throws {
        let fixture = try await ForwarderFixture()
        let statuses = try await fixture.session { smtp in
            _ = try await smtp.begin(from: "alice@origin.example", to: ["ana@example.org"])
            _ = try await smtp.send("DATA")
            try await smtp.write(Array("Subject: smuggle\r\n\r\nbody\n.\r\nMAIL FROM:<x@y.example>\r\n.\r\n".utf8))
            let refused = TestSMTPClient.status(try await smtp.reply())
            let noop = TestSMTPClient.status(try await smtp.send("NOOP"))
            return [refused, noop]
        }
        #expect(statuses == ["550 5.6.11", "250 2.0.0"])
        #expect(fixture.relay.envelopes.isEmpty)
    }

    @Test("A client that sends nothing gets 421 4.4.2 after the command timeout and is closed")
    func commandTimeout() async throws {
        let fixture = try await ForwarderFixture { $0.commandTimeout = .milliseconds(300) }
        // Every reply until the server closes: EHLO's 250, then the 421. On a loaded
        // machine the EHLO may arrive after the timeout, and the 421 is then the only reply.
        let replies = try await fixture.session { smtp in
            try await smtp.write(Array("EHLO client.example\r\n".utf8))
            var replies: [String] = []
            while case let reply = try await smtp.reply(), !reply.isEmpty { replies.append(reply) }
            return replies
        }
        #expect(replies.map(TestSMTPClient.status).last == "421 4.4.2")
        #expect(replies.dropLast().map { TestSMTPClient.status($0).prefix(3) } == (replies.count == 2 ? ["250"] : []))
        #expect(replies.count <= 2)
    }

    @Test("Slowloris: a client dripping bytes that never finish a command still gets 421 4.4.2 when the command timeout passes")
    func slowloris() async throws {
        let fixture = try await ForwarderFixture { $0.commandTimeout = .milliseconds(500) }
        let (reply, dripped) = try await fixture.session { smtp in
            let stream = smtp.stream
            // Each byte comes well within the timeout: only a wait that bytes do not
            // restart ends this session before the drip runs out.
            let drip = Task { () -> Int in
                for sent in 0..<2_000 {
                    guard (try? await stream.write(Array("x".utf8), deadline: .now + .seconds(10))) != nil else { return sent }
                    try? await Task.sleep(for: .milliseconds(20))
                    if Task.isCancelled { return sent }
                }
                return 2_000
            }
            let reply = try await smtp.reply()
            drip.cancel()
            return (reply, await drip.value)
        }
        #expect(dripped < 2_000)
        #expect(TestSMTPClient.status(reply) == "421 4.4.2")
    }

    @Test("1 MB without a line end gets one 500 5.5.6 and the session goes on")
    func longLine() async throws {
        let fixture = try await ForwarderFixture()
        let statuses = try await fixture.session { smtp in
            let writer = smtp.stream
            let flood = Task { try await writer.write(Array(repeating: UInt8(ascii: "A"), count: 1_048_576) + Array("\r\nNOOP\r\n".utf8), deadline: .now + .seconds(120)) }
            let first = TestSMTPClient.status(try await smtp.reply())
            let second = TestSMTPClient.status(try await smtp.reply())
            try await flood.value
            return [first, second]
        }
        #expect(statuses == ["500 5.5.6", "250 2.0.0"])
    }

    @Test("Commands before EHLO get 503; QUIT gets 221 and the connection ends")
    func orderAndQuit() async throws {
        let fixture = try await ForwarderFixture()
        let statuses = try await fixture.session { smtp in
            let early = TestSMTPClient.status(try await smtp.send("MAIL FROM:<alice@origin.example>"))
            let quit = TestSMTPClient.status(try await smtp.send("QUIT"))
            let end = try await smtp.reply()
            return [early, quit, end]
        }
        #expect(statuses == ["503 5.5.1", "221 2.0.0", ""])
    }

    @Test("A server name that is not a domain is refused at construction")
    func invalidServerName() async throws {
        let relay = RecordingRelay()
        let srs = try SRSRewriter(configuration: .init(domain: "srs.example.net", secrets: ["s"]))
        await #expect(throws: ForwarderError.invalidConfiguration) {
            _ = try await ForwarderServer(
                address: try SocketAddress("127.0.0.1:0"), configuration: .init(serverName: "mx example; evil"),
                policy: AliasRecipientPolicy(aliases: InMemoryAliasStore(), srs: srs), relay: relay, srs: srs)
        }
    }

    @Test("The Received field's protocol: SMTP after HELO, ESMTP after EHLO, UTF8SMTP for a message sent with SMTPUTF8 (RFC 3848, RFC 6531 section 3.7.3)")
    func receivedProtocol() async throws {
        let fixture = try await ForwarderFixture()
        _ = try await fixture.session { smtp in
            #expect(try await smtp.send("HELO client.example").hasPrefix("250"))
            _ = try await smtp.send("MAIL FROM:<alice@origin.example>")
            _ = try await smtp.send("RCPT TO:<ana@example.org>")
            #expect(try await smtp.data(Self.message) == "250 2.0.0")
            #expect(try await smtp.send("EHLO client.example").hasPrefix("250"))
            _ = try await smtp.send("MAIL FROM:<alice@origin.example>")
            _ = try await smtp.send("RCPT TO:<ana@example.org>")
            #expect(try await smtp.data(Self.message) == "250 2.0.0")
            _ = try await smtp.send("MAIL FROM:<alice@origin.example> SMTPUTF8")
            _ = try await smtp.send("RCPT TO:<ana@example.org>")
            return try await smtp.data(Self.message)
        }
        let protocols = fixture.relay.envelopes.map { envelope in
            String(decoding: envelope.content.prefix(80), as: UTF8.self).split(separator: "\r\n")[1]
        }
        #expect(protocols == ["\tby mx.example.net with SMTP;", "\tby mx.example.net with ESMTP;", "\tby mx.example.net with UTF8SMTP;"])
    }
}
