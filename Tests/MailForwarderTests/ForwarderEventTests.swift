import CommunityMailSMTP
import CommunityMailSystem
import MailForwarder
import Synchronization
import Testing

/// `ForwarderServer.Configuration.events`: what a host's log or metrics get, and that
/// addresses are in it only when the host asks for a debug log.
@Suite("ForwarderServer events: messages and sessions, addresses only on request")
struct ForwarderEventTests {
    static let message = "From: Alice <alice@origin.example>\r\nSubject: private subject\r\n\r\nbody\r\n"

    /// A fixture whose server hands every event to the returned box.
    static func fixture(carryingAddresses: Bool = false, _ change: @escaping (inout ForwarderServer.Configuration) -> Void = { _ in })
        async throws -> (ForwarderFixture, EventRecorder) {
        let events = EventRecorder()
        let fixture = try await ForwarderFixture {
            $0.events = { event in events.record(event) }
            $0.eventsCarryAddresses = carryingAddresses
            change(&$0)
        }
        return (fixture, events)
    }

    @Test("A relayed message and a refused RCPT: the message's reply, size and recipient counts, then the session's end (QUIT), with no address anywhere")
    func messageAndSession() async throws {
        let (fixture, box) = try await Self.fixture()
        fixture.relay.answer(SMTPReply(code: 451, enhancedStatusCode: "4.2.0", text: "later"), for: "bob@home.example")
        _ = try await fixture.session { smtp in
            let statuses = try await smtp.begin(from: "alice@origin.example", to: ["team@example.org", "nobody@example.org"])
            #expect(statuses == ["250 2.1.5", "550 5.1.1"])
            #expect(try await smtp.data(Self.message) == "451 4.2.0")
            return try await smtp.send("QUIT")
        }
        let events = box.events
        guard events.count == 2, case .message(let message) = events[0], case .sessionEnded(let session) = events[1] else {
            Issue.record("events: \(events)")
            return
        }
        #expect(message.reply.code == 451)
        #expect(message.size == Self.message.utf8.count)
        #expect(message.relayedRecipients == 2)
        #expect(message.acceptedRecipients == 1)
        #expect(message.relayDuration != nil)
        #expect(message.addresses == nil)
        #expect(!message.overTLS)
        #expect(session.ending == .quit)
        #expect(session.messages == 1)
        #expect(session.refusedRecipients == 1)
        let described = "\(events)"
        #expect(!described.contains("@") && !described.contains("private subject"), "\(described)")
    }

    @Test("With eventsCarryAddresses (a debug log) the message event names the client's sender and the final recipients")
    func addressesOnRequest() async throws {
        let (fixture, box) = try await Self.fixture(carryingAddresses: true)
        _ = try await fixture.session { smtp in
            _ = try await smtp.begin(from: "alice@origin.example", to: ["ana@example.org"])
            return try await smtp.data(Self.message)
        }
        let messages = box.events.compactMap { event -> ForwarderEvent.Message? in
            if case .message(let message) = event { return message }
            return nil
        }
        #expect(messages.count == 1)
        #expect(messages.first?.addresses?.sender == "alice@origin.example")
        #expect(messages.first?.addresses?.recipients == ["ana@home.example"])
        #expect(messages.first?.reply.code == 250)
    }

    @Test("How sessions end: the client closing, a timeout (421 4.4.2), the error limit (421), a loop refused before the relay")
    func endings() async throws {
        // The timeout on a server of its own: a short command timeout would also cut the
        // other sessions short on a loaded machine.
        let (impatient, timedOut) = try await Self.fixture { $0.commandTimeout = .milliseconds(200) }
        _ = try await impatient.session { smtp in
            while case let reply = try await smtp.reply(), !reply.isEmpty {}
            return ""
        }
        let (fixture, box) = try await Self.fixture { $0.maximumErrors = 2 }
        // The client goes away without QUIT.
        _ = try await fixture.session { smtp in try await smtp.send("EHLO client.example") }
        // Refused commands until the error limit.
        _ = try await fixture.session { smtp in
            var reply = ""
            repeat { reply = try await smtp.send("XYZZY") } while reply.hasPrefix("500")
            #expect(TestSMTPClient.status(reply) == "421 4.7.0")
            return reply
        }
        // A message refused before the relay: 554 5.4.6, nothing relayed.
        _ = try await fixture.session { smtp in
            _ = try await smtp.begin(from: "alice@origin.example", to: ["ana@example.org"])
            let loop = String(repeating: "Received: from a by b; Mon, 7 Dec 2026 00:00:00 +0000\r\n", count: 26) + Self.message
            return try await smtp.data(loop)
        }
        func endings(_ events: [ForwarderEvent]) -> [ForwarderEvent.Ending] {
            events.compactMap { event -> ForwarderEvent.Ending? in
                if case .sessionEnded(let session) = event { return session.ending }
                return nil
            }
        }
        #expect(endings(timedOut.events) == [.timedOut])
        let events = box.events
        #expect(endings(events) == [.clientClosed, .closedByServer, .clientClosed])
        let refused = events.compactMap { event -> ForwarderEvent.Message? in
            if case .message(let message) = event { return message }
            return nil
        }
        #expect(refused.map(\.reply.code) == [554])
        #expect(refused.first?.relayedRecipients == 0 && refused.first?.relayDuration == nil)
        #expect(fixture.relay.envelopes.isEmpty)
    }

    @Test("Messages the server refuses itself at their final dot (552 too large, 550 5.6.11 bare LF) each get a message event with their size, and count in the session's messages")
    func refusedBySession() async throws {
        let (fixture, box) = try await Self.fixture { $0.maximumMessageSize = 1_000 }
        let large = "Subject: large\r\n\r\n" + String(repeating: String(repeating: "x", count: 98) + "\r\n", count: 20)
        let bareLF = "Subject: smuggled\r\n\r\nline\nline\r\n"
        _ = try await fixture.session { smtp in
            _ = try await smtp.begin(from: "alice@origin.example", to: ["ana@example.org"])
            #expect(try await smtp.data(large) == "552 5.3.4")
            _ = try await smtp.send("MAIL FROM:<alice@origin.example>")
            _ = try await smtp.send("RCPT TO:<ana@example.org>")
            #expect(try await smtp.data(bareLF) == "550 5.6.11")
            return try await smtp.send("QUIT")
        }
        let events = box.events
        let messages = events.compactMap { event -> ForwarderEvent.Message? in
            if case .message(let message) = event { return message }
            return nil
        }
        #expect(messages.map(\.reply.code) == [552, 550])
        #expect(messages.map(\.size) == [large.utf8.count, bareLF.utf8.count])
        #expect(messages.allSatisfy { $0.relayedRecipients == 0 && $0.relayDuration == nil && $0.addresses == nil })
        guard case .sessionEnded(let session) = events.last else {
            Issue.record("events: \(events)")
            return
        }
        #expect(session.messages == 2)
        #expect(session.ending == .quit)
        #expect(fixture.relay.envelopes.isEmpty)
    }

    @Test("A session closed by the server's shutdown ends as closedByServer")
    func shutdownEnding() async throws {
        let (fixture, box) = try await Self.fixture()
        let (client, serverEnd) = InMemoryByteStream.makePair()
        let serving = Task { await fixture.server.serve(serverEnd) }
        var smtp = TestSMTPClient(stream: client)
        _ = try await smtp.reply()
        _ = try await smtp.send("EHLO client.example")
        fixture.server.close()
        #expect(TestSMTPClient.status(try await smtp.reply()) == "421 4.3.2")
        await serving.value
        await client.close()
        guard case .sessionEnded(let session) = box.events.last else {
            Issue.record("events: \(box.events)")
            return
        }
        #expect(session.ending == .closedByServer)
    }
}

/// The events a server handed its host, in order.
final class EventRecorder: Sendable {
    private let recorded = Mutex<[ForwarderEvent]>([])

    func record(_ event: ForwarderEvent) { recorded.withLock { $0.append(event) } }

    var events: [ForwarderEvent] { recorded.withLock { $0 } }
}
