import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import MailForwarder
import Synchronization
import Testing

/// The server-wide budget of message bytes in memory (ForwarderServer.Configuration
/// .messageMemoryBudget), with a small budget over loopback: a message that does not fit
/// while another is held gets 452 4.3.1, so does a MAIL whose SIZE is more than is free,
/// and what a session held is given back when the relay answers or the client leaves.
@Suite("ForwarderServer message memory budget")
struct ForwarderMemoryBudgetTests {
    /// A message of `size` octets (CRLF lines).
    static func message(size: Int) -> String {
        let head = "Subject: budget\r\n\r\n"
        let line = String(repeating: "x", count: 98) + "\r\n"
        var body = String(repeating: line, count: max(0, (size - head.utf8.count) / line.utf8.count))
        body += String(repeating: "y", count: max(0, size - head.utf8.count - body.utf8.count - 2)) + "\r\n"
        return head + body
    }

    /// A fixture whose relay holds every message until ``GatedRelay/open()``, with a 10,000
    /// octet budget and message size limit, and room for 64 connections from loopback.
    func fixture() async throws -> (ForwarderFixture, GatedRelay) {
        let relay = GatedRelay()
        let fixture = try await ForwarderFixture(hop: relay) {
            $0.maximumMessageSize = 10_000
            $0.messageMemoryBudget = 10_000
            $0.listener.maximumConnectionsPerAddress = 64
        }
        return (fixture, relay)
    }

    /// ``fixture()`` with its server running over loopback until ``stop(_:_:)``.
    func servingFixture() async throws -> (ForwarderFixture, GatedRelay) {
        let (fixture, relay) = try await fixture()
        Task { try await fixture.server.run() }
        return (fixture, relay)
    }

    /// Lets every held message through and closes the server (its `run()` then returns).
    static func stop(_ fixture: ForwarderFixture, _ relay: GatedRelay) {
        relay.open()
        fixture.server.close()
    }

    /// A client whose message of `size` octets has reached the relay, which holds it; the
    /// task ends with the client's DATA reply once the relay lets it through.
    func holdMessage(of size: Int, in fixture: ForwarderFixture, _ relay: GatedRelay) async throws
        -> (client: TestSMTPClient, reply: Task<String, any Error>) {
        var client = try await connect(fixture)
        _ = try await client.begin(from: "alice@origin.example", to: ["ana@example.org"])
        let entered = relay.entered
        let reply = Task { [client] in
            var sending = client
            return try await sending.data(Self.message(size: size))
        }
        try await waitUntil("the message reached the relay") { relay.entered == entered + 1 }
        return (client, reply)
    }

    func connect(_ fixture: ForwarderFixture) async throws -> TestSMTPClient {
        let connection = try await TCPConnection.connect(to: fixture.server.localAddress, deadline: .now + .seconds(120))
        var client = TestSMTPClient(stream: connection)
        _ = try await client.reply()
        return client
    }

    @Test("While one message waits for the relay: a second that does not fit gets 452 4.3.1 at its end and is not relayed, MAIL with a SIZE above what is free gets 452 4.3.1; once the relay answered, both pass")
    func budgetRefusesWhileHeld() async throws {
        let (fixture, relay) = try await servingFixture()
        defer { Self.stop(fixture, relay) }
        let (first, held) = try await holdMessage(of: 7_000, in: fixture, relay)
        #expect(fixture.server.messageBytesInMemory >= 7_000)

        var second = try await connect(fixture)
        _ = try await second.send("EHLO client.example")
        #expect(TestSMTPClient.status(try await second.send("MAIL FROM:<alice@origin.example> SIZE=5000")) == "452 4.3.1")
        #expect(TestSMTPClient.status(try await second.send("MAIL FROM:<alice@origin.example> SIZE=2000")) == "250 2.1.0")
        #expect(TestSMTPClient.status(try await second.send("RCPT TO:<ana@example.org>")) == "250 2.1.5")
        // It declared 2,000 but sends 5,000: refused at the end, the rest read and dropped.
        #expect(try await second.data(Self.message(size: 5_000)) == "452 4.3.1")
        #expect(TestSMTPClient.status(try await second.send("NOOP")) == "250 2.0.0")
        #expect(relay.entered == 1)
        #expect(fixture.server.messageBytesInMemory <= 10_000)

        relay.open()
        #expect(try await held.value == "250 2.0.0")
        try await waitUntil("the first message's bytes were given back") { fixture.server.messageBytesInMemory == 0 }
        _ = try await second.send("MAIL FROM:<alice@origin.example> SIZE=5000")
        _ = try await second.send("RCPT TO:<ana@example.org>")
        #expect(try await second.data(Self.message(size: 5_000)) == "250 2.0.0")
        #expect(fixture.server.messageBytesInMemory == 0)
        #expect(relay.recording.envelopes.count == 2)
        await first.stream.close()
        await second.stream.close()
    }

    @Test("A message that outgrows the budget while it arrives gives its bytes back at once, is read on without being held, and gets 452 4.3.1 at its final dot")
    func outgrowsWhileArriving() async throws {
        let (fixture, relay) = try await servingFixture()
        defer { Self.stop(fixture, relay) }
        let (first, held) = try await holdMessage(of: 7_000, in: fixture, relay)
        let heldByFirst = fixture.server.messageBytesInMemory

        var second = try await connect(fixture)
        _ = try await second.begin(from: "alice@origin.example", to: ["ana@example.org"])
        #expect(TestSMTPClient.status(try await second.send("DATA")) == "354")
        let part = Array(String(repeating: String(repeating: "z", count: 98) + "\r\n", count: 25).utf8)  // 2,500 octets
        try await second.write(part)
        try await waitUntil("the second message's first part is held") { fixture.server.messageBytesInMemory == heldByFirst + 2_500 }
        try await second.write(Array(part.prefix(1_000)))
        try await waitUntil("the second message's bytes were given back while it arrives") {
            fixture.server.messageBytesInMemory == heldByFirst
        }
        try await second.write(part)
        try await second.write(Array(".\r\n".utf8))
        #expect(TestSMTPClient.status(try await second.reply()) == "452 4.3.1")
        #expect(fixture.server.messageBytesInMemory == heldByFirst)
        relay.open()
        #expect(try await held.value == "250 2.0.0")
        try await waitUntil("every byte given back") { fixture.server.messageBytesInMemory == 0 }
        #expect(relay.recording.envelopes.count == 1)
        await first.stream.close()
        await second.stream.close()
    }

    @Test("Two messages that fit together are both held and relayed")
    func budgetShared() async throws {
        let (fixture, relay) = try await servingFixture()
        defer { Self.stop(fixture, relay) }
        var clients: [TestSMTPClient] = []
        for _ in 0..<2 {
            var client = try await connect(fixture)
            _ = try await client.begin(from: "alice@origin.example", to: ["ana@example.org"])
            clients.append(client)
        }
        let sending = clients.map { client in
            Task {
                var client = client
                return try await client.data(Self.message(size: 4_500))
            }
        }
        try await waitUntil("both messages reached the relay") { relay.entered == 2 }
        #expect(fixture.server.messageBytesInMemory >= 9_000)
        relay.open()
        for task in sending { #expect(try await task.value == "250 2.0.0") }
        try await waitUntil("every byte given back") { fixture.server.messageBytesInMemory == 0 }
        for client in clients { await client.stream.close() }
    }

    @Test("24 clients at once, 3,000 octets each, a 10,000-octet budget: at most three are held, the rest get 452 4.3.1, the reservation never passes the budget, and all of it comes back")
    func manyAtOnce() async throws {
        let (fixture, relay) = try await servingFixture()
        defer { Self.stop(fixture, relay) }
        let highest = Mutex(0)
        let sampling = Task {
            while !Task.isCancelled {
                let now = fixture.server.messageBytesInMemory
                highest.withLock { $0 = max($0, now) }
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
        // Clients that got their answer without the relay (or failed): with the held ones,
        // every client, once the budget has decided for all.
        let answered = Tally()
        let server = fixture.server
        var sending: [Task<String, any Error>] = []
        for _ in 0..<24 {
            sending.append(Task { () throws -> String in
                defer { answered.add() }
                let connection = try await TCPConnection.connect(to: server.localAddress, deadline: .now + .seconds(120))
                var client = TestSMTPClient(stream: connection)
                _ = try await client.reply()
                _ = try await client.begin(from: "alice@origin.example", to: ["ana@example.org"])
                let status = try await client.data(Self.message(size: 3_000))
                await connection.close()
                return status
            })
        }
        try await waitUntil("every message held or refused", timeout: .seconds(120)) { relay.entered + answered.value == 24 }
        #expect((1...3).contains(relay.entered))
        relay.open()
        var statuses: [String: Int] = [:]
        for task in sending { statuses[try await task.value, default: 0] += 1 }
        try await waitUntil("every byte given back") { fixture.server.messageBytesInMemory == 0 }
        sampling.cancel()
        #expect(statuses["250 2.0.0"] == relay.entered)
        #expect(statuses["452 4.3.1"] == 24 - relay.entered)
        #expect(highest.withLock { $0 } <= 10_000)
    }

    @Test("A client that leaves mid-DATA gives its bytes back")
    func droppedMidData() async throws {
        let (fixture, relay) = try await servingFixture()
        defer { Self.stop(fixture, relay) }
        var client = try await connect(fixture)
        _ = try await client.begin(from: "alice@origin.example", to: ["ana@example.org"])
        _ = try await client.send("DATA")
        try await client.write(Array(Self.message(size: 6_000).utf8))
        try await waitUntil("the server holds the partial message") { fixture.server.messageBytesInMemory >= 6_000 }
        await client.stream.close()
        try await waitUntil("the bytes were given back") { fixture.server.messageBytesInMemory == 0 }
        #expect(relay.entered == 0)
    }

    @Test("A budget below the largest message is refused at construction")
    func budgetBelowMessageSize() async throws {
        await #expect(throws: ForwarderError.invalidConfiguration) {
            _ = try await ForwarderFixture {
                $0.maximumMessageSize = 10_000
                $0.messageMemoryBudget = 9_999
            }
        }
    }

    @Test("The default budget is 1 GiB")
    func defaultBudget() {
        #expect(ForwarderServer.Configuration(serverName: "mx.example.net").messageMemoryBudget == 1024 * 1024 * 1024)
    }
}

/// A count tasks add to.
final class Tally: Sendable {
    private let count = Mutex(0)
    /// The count now.
    var value: Int { count.withLock { $0 } }
    /// Adds one.
    func add() { count.withLock { $0 += 1 } }
}

/// A relay that holds every message until ``open()``, then records it (250 for all).
final class GatedRelay: RelayHop {
    private struct State {
        var isOpen = false
        var entered = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// Where messages go once let through.
    let recording = RecordingRelay()

    /// How many messages reached the relay (held or not).
    var entered: Int { state.withLock { $0.entered } }

    /// Lets every held message through, and every later one at once.
    func open() {
        let waiting = state.withLock { state in
            state.isOpen = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func relay(_ envelope: RelayEnvelope) async -> RelayOutcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let goes = state.withLock { state -> Bool in
                state.entered += 1
                guard state.isOpen else {
                    state.waiting.append(continuation)
                    return false
                }
                return true
            }
            if goes { continuation.resume() }
        }
        return await recording.relay(envelope)
    }
}
