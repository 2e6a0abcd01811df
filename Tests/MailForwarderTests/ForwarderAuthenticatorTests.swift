import CommunityMailSMTP
import CommunityMailSystem
import Foundation
import MailForwarder
import Synchronization
import Testing

/// The server's side of ``InboundAuthenticator``: what the authenticator is given, where
/// its fields go, and that a refusal stops the relay.
@Suite("ForwarderServer with an authenticator")
struct ForwarderAuthenticatorTests {
    static let message = "From: Alice <alice@origin.example>\r\nSubject: hi\r\n\r\nbody\r\n"

    /// Answers every message with `verdict` and keeps what it was asked.
    final class ScriptedAuthenticator: InboundAuthenticator {
        let verdict: InboundVerdict
        let asked = Mutex<[InboundMessage]>([])
        init(_ verdict: InboundVerdict) { self.verdict = verdict }
        func authenticate(_ message: InboundMessage) async -> InboundVerdict {
            asked.withLock { $0.append(message) }
            return verdict
        }
    }

    @Test("a refusal is the DATA reply, nothing is relayed, and the event carries the summary")
    func refusal() async throws {
        let authenticator = ScriptedAuthenticator(
            .refuse(SMTPReply(code: 550, enhancedStatusCode: "5.7.1", text: "DMARC policy says reject"), summary: "dmarc=fail"))
        let events = Mutex<[ForwarderEvent]>([])
        let fixture = try await ForwarderFixture {
            $0.authenticator = authenticator
            $0.events = { event in events.withLock { $0.append(event) } }
        }
        let status = try await fixture.session { smtp in
            _ = try await smtp.begin(from: "alice@origin.example", to: ["ana@example.org"])
            return try await smtp.data(Self.message)
        }
        #expect(status == "550 5.7.1")
        #expect(fixture.relay.envelopes.isEmpty)
        let asked = authenticator.asked.withLock { $0 }
        #expect(asked.count == 1)
        #expect(asked.first?.sender == "alice@origin.example")
        #expect(asked.first?.heloName == "client.example")
        #expect(asked.first?.content == Array(Self.message.utf8))
        let summaries = events.withLock { $0 }.compactMap { event -> String? in
            if case .message(let message) = event { return message.authentication }
            return nil
        }
        #expect(summaries == ["dmarc=fail"])
    }

    @Test("fields to prepend go just below our Received field; the client's bytes follow unchanged")
    func prepended() async throws {
        let fields = Array("Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=origin.example\r\n".utf8)
        let authenticator = ScriptedAuthenticator(.forward(prepending: fields, summary: "spf=pass"))
        let fixture = try await ForwarderFixture { $0.authenticator = authenticator }
        let status = try await fixture.session { smtp in
            _ = try await smtp.begin(from: "alice@origin.example", to: ["ana@example.org"])
            return try await smtp.data(Self.message)
        }
        #expect(status == "250 2.0.0")
        let content = try #require(fixture.relay.envelopes.first?.content)
        let text = String(decoding: content, as: UTF8.self)
        #expect(text.hasPrefix("Received: "))
        #expect(text.hasSuffix(String(decoding: fields, as: UTF8.self) + Self.message))
    }

    @Test("a positive reply given as a refusal forwards the message; a message refused at RCPT never reaches the authenticator")
    func positiveRefusalAndNoRecipients() async throws {
        #expect(InboundVerdict.refuse(SMTPReply(code: 250, enhancedStatusCode: "2.0.0", text: "ok")).refusal == nil)
        let authenticator = ScriptedAuthenticator(.forward())
        let fixture = try await ForwarderFixture { $0.authenticator = authenticator }
        _ = try await fixture.session { smtp in
            _ = try await smtp.begin(from: "alice@origin.example", to: ["nobody@example.org"])
            return try await smtp.send("QUIT")
        }
        #expect(authenticator.asked.withLock { $0.isEmpty })
    }
}
