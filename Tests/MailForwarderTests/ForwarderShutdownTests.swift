import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import MailForwarder
import Testing

/// ForwarderServer.close() over loopback: it stops accepting, sessions between commands get
/// 421 4.3.2 (RFC 5321 section 3.8), and a message being received or relayed is answered
/// before its session gets the 421, so its client never sends it again (RFC 5321 section
/// 6.1: a lost reply means "not delivered" to the client).
@Suite("ForwarderServer shutdown: 421 4.3.2 between commands, the reply of a message in flight first")
struct ForwarderShutdownTests {
    /// A server over loopback whose relay holds messages until opened, and its run() task.
    func serving(_ change: @escaping (inout ForwarderServer.Configuration) -> Void = { _ in })
        async throws -> (ForwarderFixture, GatedRelay, Task<Void, any Error>) {
        let relay = GatedRelay()
        let fixture = try await ForwarderFixture(hop: relay, change)
        let running = Task { try await fixture.server.run() }
        return (fixture, relay, running)
    }

    func connect(_ fixture: ForwarderFixture) async throws -> TestSMTPClient {
        let connection = try await TCPConnection.connect(to: fixture.server.localAddress, deadline: .now + .seconds(120))
        var client = TestSMTPClient(stream: connection)
        #expect(try await client.reply().hasPrefix("220 "))
        return client
    }

    @Test("Sessions waiting for a command (greeted, mid-transaction) get 421 4.3.2 and are closed; new clients are refused; run() returns")
    func idleSessionsGet421() async throws {
        let (fixture, relay, running) = try await serving()
        defer { relay.open() }
        var greeted = try await connect(fixture)
        #expect(try await greeted.send("EHLO client.example").hasPrefix("250"))
        var midTransaction = try await connect(fixture)
        _ = try await midTransaction.begin(from: "alice@origin.example", to: ["ana@example.org"])
        try await waitUntil("both sessions are served") { fixture.server.sessionCount == 2 }

        fixture.server.close()
        #expect(TestSMTPClient.status(try await greeted.reply()) == "421 4.3.2")
        #expect(TestSMTPClient.status(try await midTransaction.reply()) == "421 4.3.2")
        #expect(try await greeted.reply() == "")
        #expect(try await midTransaction.reply() == "")
        try await running.value
        await #expect(throws: NetworkError.self) {
            _ = try await TCPConnection.connect(to: fixture.server.localAddress, deadline: .now + .seconds(120))
        }
        #expect(relay.entered == 0)
        await greeted.stream.close()
        await midTransaction.stream.close()
    }

    @Test("A message waiting on its relay at close() gets the relay's reply (250), then 421 4.3.2; an idle session beside it is closed at once")
    func relayedMessageAnsweredFirst() async throws {
        let (fixture, relay, running) = try await serving()
        defer { relay.open() }
        var sender = try await connect(fixture)
        _ = try await sender.begin(from: "alice@origin.example", to: ["ana@example.org"])
        let reply = Task { [sender] in
            var sending = sender
            let status = try await sending.data(ForwarderServerTests.message)
            return (status, TestSMTPClient.status(try await sending.reply()), try await sending.reply())
        }
        try await waitUntil("the message reached the relay") { relay.entered == 1 }
        var idle = try await connect(fixture)
        _ = try await idle.send("EHLO client.example")

        fixture.server.close()
        #expect(TestSMTPClient.status(try await idle.reply()) == "421 4.3.2")
        #expect(fixture.server.sessionCount >= 1)
        relay.open()
        let (status, after, end) = try await reply.value
        #expect(status == "250 2.0.0")
        #expect(after == "421 4.3.2")
        #expect(end == "")
        #expect(relay.recording.envelopes.count == 1)
        try await running.value
        await sender.stream.close()
        await idle.stream.close()
    }

    @Test("A message still arriving at close() is read to its end and relayed; its reply comes before the 421")
    func messageArrivingFinishes() async throws {
        let (fixture, relay, running) = try await serving()
        relay.open()
        var sender = try await connect(fixture)
        _ = try await sender.begin(from: "alice@origin.example", to: ["ana@example.org"])
        #expect(TestSMTPClient.status(try await sender.send("DATA")) == "354")
        try await sender.write(Array("Subject: half\r\n\r\nfirst line\r\n".utf8))
        try await waitUntil("the session holds the first part") { fixture.server.messageBytesInMemory > 0 }

        fixture.server.close()
        try await sender.write(Array("second line\r\n.\r\nMAIL FROM:<alice@origin.example>\r\n".utf8))
        #expect(TestSMTPClient.status(try await sender.reply()) == "250 2.0.0")
        // The pipelined MAIL is not started: the session ends.
        #expect(TestSMTPClient.status(try await sender.reply()) == "421 4.3.2")
        #expect(try await sender.reply() == "")
        #expect(relay.recording.envelopes.count == 1)
        try await running.value
        await sender.stream.close()
    }

    /// A client whose message has reached the relay (`entered` counts what reached it), and
    /// the task that ends with the client's DATA reply (nil or "" when the connection ended
    /// without one).
    func messageAtRelay(_ fixture: ForwarderFixture, entered: @escaping @Sendable () -> Int) async throws
        -> (sender: TestSMTPClient, reply: Task<String?, Never>) {
        var sender = try await connect(fixture)
        _ = try await sender.begin(from: "alice@origin.example", to: ["ana@example.org"])
        let before = entered()
        let reply = Task { [sender] in
            var sending = sender
            return try? await sending.data(ForwarderServerTests.message)
        }
        try await waitUntil("the message reached the relay") { entered() == before + 1 }
        return (sender, reply)
    }

    @Test("Past the grace period a session whose relay does not answer is closed without a reply; run() returns once the relay gives up")
    func graceDeadline() async throws {
        let (fixture, relay, running) = try await serving { $0.shutdownGracePeriod = .milliseconds(100) }
        defer { relay.open() }
        let (sender, reply) = try await messageAtRelay(fixture) { relay.entered }
        fixture.server.close()
        // The client sees the connection end with no reply; the relay's own bound (here:
        // opening the gate) is what ends the session's task, and then run() returns.
        let status = await reply.value
        #expect(status == nil || status == "", "\(String(describing: status))")
        relay.open()
        try await running.value
        await sender.stream.close()
    }

    @Test("At the grace deadline a relay still running is cancelled, so run() returns within the grace period whatever the next hop does", .timeLimit(.minutes(2)))
    func graceDeadlineCancelsRelay() async throws {
        let relay = ForwarderRelayTimeoutTests.StallingRelay()
        let fixture = try await ForwarderFixture(hop: relay) { $0.shutdownGracePeriod = .milliseconds(100) }
        let running = Task { try await fixture.server.run() }
        let (sender, reply) = try await messageAtRelay(fixture) { relay.entered }
        fixture.server.close()
        // The relay's own bound is an hour: only the hard close ends it.
        try await running.value
        _ = await reply.value
        await sender.stream.close()
    }

    @Test("The default grace period is 60 s")
    func defaultGrace() {
        #expect(ForwarderServer.Configuration(serverName: "mx.example.net").shutdownGracePeriod == .seconds(60))
    }
}
