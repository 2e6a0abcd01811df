import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import MailForwarder
import Synchronization
import Testing

/// Slow and greedy clients against the message memory: a message must arrive within the
/// whole-DATA deadline however it is dripped, and one client address gets only its share of
/// the budget.
@Suite("ForwarderServer slow clients: the whole-DATA deadline and one address's share of the memory budget")
struct ForwarderSlowClientTests {
    @Test("A client dripping its message a byte at a time, each within the data timeout, gets 421 4.4.2 at the whole-DATA deadline")
    func drippedData() async throws {
        // Each byte comes well within the 2 s data timeout; the whole message may take
        // max(2 s, 10,000 octets at 100,000 octets/s) = 2 s.
        let fixture = try await ForwarderFixture {
            $0.dataTimeout = .seconds(2)
            $0.maximumMessageSize = 10_000
            $0.messageMemoryBudget = 10_000
            $0.minimumDataRate = 100_000
        }
        let (client, serverEnd) = InMemoryByteStream.makePair()
        let serving = Task { await fixture.server.serve(serverEnd) }
        var smtp = TestSMTPClient(stream: client)
        _ = try await smtp.reply()
        _ = try await smtp.begin(from: "alice@origin.example", to: ["ana@example.org"])
        #expect(TestSMTPClient.status(try await smtp.send("DATA")) == "354")
        let answered = Mutex(false)
        let reading = Task { [smtp] in
            var reader = smtp
            defer { answered.withLock { $0 = true } }
            return TestSMTPClient.status(try await reader.reply())
        }
        var dripped = 0
        // Without the deadline this runs 600 × 100 ms and the test fails below.
        while !answered.withLock({ $0 }), dripped < 600 {
            do {
                try await client.write(Array("x".utf8), deadline: .now + .seconds(60))
            } catch {
                break  // the server closed after its 421
            }
            dripped += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await reading.value == "421 4.4.2", "after \(dripped) bytes")
        // The 421 came while the client was still dripping, not after it stopped.
        #expect(dripped < 600)
        await serving.value
        await client.close()
        #expect(fixture.relay.envelopes.isEmpty)
        #expect(fixture.server.messageBytesInMemory == 0)
    }

    @Test("Lines refused with 500 (unknown, too long) do not restart the command timeout: a client sending one now and then still gets 421 4.4.2")
    func refusedLinesDoNotRestartTheWait() async throws {
        let fixture = try await ForwarderFixture {
            $0.commandTimeout = .seconds(2)
            $0.maximumErrors = 1_000
        }
        let (client, serverEnd) = InMemoryByteStream.makePair()
        let serving = Task { await fixture.server.serve(serverEnd) }
        var smtp = TestSMTPClient(stream: client)
        _ = try await smtp.reply()
        _ = try await smtp.send("EHLO client.example")
        let timedOut = Mutex(false)
        let reading = Task { [smtp] in
            var reader = smtp
            while true {
                let reply = try await reader.reply()
                if reply.isEmpty || !reply.hasPrefix("500") {
                    timedOut.withLock { $0 = true }
                    return TestSMTPClient.status(reply)
                }
            }
        }
        var sent = 0
        // Without the fix each 500 restarts the 2 s wait and this runs 600 × 100 ms.
        while !timedOut.withLock({ $0 }), sent < 600 {
            do {
                try await client.write(Array((sent % 2 == 0 ? "XYZZY\r\n" : String(repeating: "x", count: 600) + "\r\n").utf8),
                                       deadline: .now + .seconds(60))
            } catch {
                break  // the server closed after its 421
            }
            sent += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try await reading.value == "421 4.4.2", "after \(sent) lines")
        #expect(sent < 600)
        await serving.value
        await client.close()
    }

    @Test("The whole-DATA deadline is the longer of the data timeout and the largest message at the minimum rate")
    func wholeDataTimeout() {
        var configuration = ForwarderServer.Configuration(serverName: "mx.example.net")
        #expect(configuration.minimumDataRate == 32 * 1024)
        #expect(configuration.wholeDataTimeout == .seconds(1600))  // 50 MiB at 32 KiB/s
        configuration.maximumMessageSize = 1024
        #expect(configuration.wholeDataTimeout == configuration.dataTimeout)
    }

    @Test("Connections from one address together hold at most an eighth of the budget (at least one largest message): past it 452 4.3.1, at MAIL with SIZE or at the final dot")
    func perAddressShare() async throws {
        let relay = GatedRelay()
        let fixture = try await ForwarderFixture(hop: relay) {
            $0.maximumMessageSize = 10_000
            $0.messageMemoryBudget = 80_000  // an eighth: 10,000 for 127.0.0.1
            $0.listener.maximumConnectionsPerAddress = 64
        }
        let running = Task { try await fixture.server.run() }
        defer {
            relay.open()
            fixture.server.close()
        }
        let budget = ForwarderMemoryBudgetTests()
        let (first, held) = try await budget.holdMessage(of: 7_000, in: fixture, relay)

        var second = try await budget.connect(fixture)
        _ = try await second.send("EHLO client.example")
        // The budget has 73,000 free, this address 3,000.
        #expect(TestSMTPClient.status(try await second.send("MAIL FROM:<alice@origin.example> SIZE=5000")) == "452 4.3.1")
        #expect(TestSMTPClient.status(try await second.send("MAIL FROM:<alice@origin.example>")) == "250 2.1.0")
        #expect(TestSMTPClient.status(try await second.send("RCPT TO:<ana@example.org>")) == "250 2.1.5")
        #expect(try await second.data(ForwarderMemoryBudgetTests.message(size: 5_000)) == "452 4.3.1")
        #expect(relay.entered == 1)
        #expect(fixture.server.messageBytesInMemory <= 10_000)

        // A session with no address (a host's own stream) is bounded by the budget alone.
        let (client, serverEnd) = InMemoryByteStream.makePair()
        let serving = Task { await fixture.server.serve(serverEnd) }
        var unaddressed = TestSMTPClient(stream: client)
        _ = try await unaddressed.reply()
        _ = try await unaddressed.send("EHLO client.example")
        #expect(TestSMTPClient.status(try await unaddressed.send("MAIL FROM:<alice@origin.example> SIZE=9000")) == "250 2.1.0")
        await client.close()
        await serving.value

        relay.open()
        #expect(try await held.value == "250 2.0.0")
        try await waitUntil("the first message's bytes were given back") { fixture.server.messageBytesInMemory == 0 }
        _ = try await second.send("MAIL FROM:<alice@origin.example> SIZE=5000")
        _ = try await second.send("RCPT TO:<ana@example.org>")
        #expect(try await second.data(ForwarderMemoryBudgetTests.message(size: 5_000)) == "250 2.0.0")
        await first.stream.close()
        await second.stream.close()
        fixture.server.close()
        try await running.value
    }
}
