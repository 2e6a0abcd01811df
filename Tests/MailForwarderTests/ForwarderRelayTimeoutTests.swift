import CommunityMailSMTP
import MailForwarder
import Synchronization
import Testing

/// ForwarderServer.Configuration.relayTimeout: a next hop that does not answer is cancelled,
/// and the sender hears 451 4.4.7 rather than waiting past its own DATA timeout.
@Suite("ForwarderServer relayTimeout")
struct ForwarderRelayTimeoutTests {
    /// A hop that answers only when cancelled: 451 4.4.0 for every recipient, as the real
    /// hops answer a cancellation.
    final class StallingRelay: RelayHop {
        private let count = Mutex(0)
        /// How many messages reached it.
        var entered: Int { count.withLock { $0 } }

        func relay(_ envelope: RelayEnvelope) async -> RelayOutcome {
            count.withLock { $0 += 1 }
            try? await Task.sleep(for: .seconds(3_600))
            return RelayOutcome(
                everyRecipient: SMTPReply(code: 451, enhancedStatusCode: "4.4.0", text: "cancelled"), recipientCount: envelope.recipients.count)
        }
    }

    @Test("A hop that does not answer within relayTimeout is cancelled and the message gets 451 4.4.7; the session goes on")
    func stalledHop() async throws {
        let fixture = try await ForwarderFixture(hop: StallingRelay()) { $0.relayTimeout = .milliseconds(200) }
        let (status, after) = try await fixture.session { smtp in
            _ = try await smtp.begin(from: "alice@origin.example", to: ["ana@example.org"])
            let status = try await smtp.data("Subject: stalled\r\n\r\nbody\r\n")
            return (status, try await smtp.send("NOOP"))
        }
        #expect(status == "451 4.4.7")
        #expect(TestSMTPClient.status(after) == "250 2.0.0")
    }
}
