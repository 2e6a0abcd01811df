import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

/// `SMTPClient.deliver` against real servers: a reply per recipient, the message to the
/// accepted ones only, no DATA when none was accepted.
@Suite("SMTPClient.deliver against aiosmtpd: per-recipient replies", .serialized, .enabled(if: TestPeers.shouldRun(SMTPPeerProcess.hasAiosmtpd)))
struct SMTPDeliveryAiosmtpdTests {
    let message: SMTPMessage

    init() throws {
        message = try SMTPMessage(
            sender: "noreply@example.test", recipients: ["refused.x@example.test", "b@example.test", "deferred.y@example.test", "c@example.test"],
            content: Array("Subject: per recipient\r\n\r\nbody\r\n".utf8))
    }

    @Test("One refused and one deferred recipient: the others get the message, and the report has each RCPT's reply")
    func partialDelivery() async throws {
        let peer = try await SMTPPeerProcess.aiosmtpd()
        defer { peer.stop() }
        let report = try await SMTPClient().deliver(message, over: try await peer.connect(), security: .plaintext)
        #expect(report.recipientReplies.map(\.code) == [550, 250, 451, 250])
        #expect(report.recipientReplies[0].enhancedStatusCode?.description == "5.1.1")
        #expect(report.dataReply?.code == 250)
        #expect(report.replies.map(\.code) == [550, 250, 451, 250])
        #expect(report.deliveredRecipients == [false, true, false, true])
        let record = try #require(try await peer.files(suffix: ".json").first)
        let envelope = try #require(try JSONSerialization.jsonObject(with: record) as? [String: Any])
        #expect(envelope["rcpt_tos"] as? [String] == ["b@example.test", "c@example.test"])
        #expect(try await peer.files(suffix: ".eml").first == Data(message.content))
    }

    @Test("send is all or nothing: the same refusal is SMTPError.rejected with its code, and nothing arrives")
    func sendRefuses() async throws {
        let peer = try await SMTPPeerProcess.aiosmtpd()
        defer { peer.stop() }
        let error = await #expect(throws: SMTPError.rejected) {
            try await SMTPClient().send(message, over: try await peer.connect(), security: .plaintext)
        }
        #expect(error?.replyCode == 550)
        #expect(!(error?.description.contains("example.test") ?? true))
        #expect(try await peer.files(suffix: ".json", waitingFor: 0).isEmpty)
    }

    @Test("Every recipient refused: a report without a message reply, and no message")
    func noneAccepted() async throws {
        let peer = try await SMTPPeerProcess.aiosmtpd()
        defer { peer.stop() }
        let refused = try SMTPMessage(
            sender: "noreply@example.test", recipients: ["refused.a@example.test", "deferred.b@example.test"], content: Array("x\r\n".utf8))
        let report = try await SMTPClient().deliver(refused, over: try await peer.connect(), security: .plaintext)
        #expect(report.dataReply == nil)
        #expect(report.replies.map(\.code) == [550, 451])
        #expect(try await peer.files(suffix: ".json", waitingFor: 0).isEmpty)
    }
}

/// smtp-sink announces PIPELINING: the pipelined path of `deliver`.
@Suite("SMTPClient.deliver against Postfix's smtp-sink (pipelined)", .serialized, .enabled(if: TestPeers.shouldRun(SMTPPeerProcess.hasSink)))
struct SMTPDeliverySinkTests {
    let message: SMTPMessage

    init() throws {
        message = try SMTPMessage(
            sender: "a@example.test", recipients: ["b@example.test", "c@example.test"], content: Array("Subject: sink\n\nbody\n".utf8))
    }

    @Test("Accepted: both recipients get 250 and the message reply")
    func accepted() async throws {
        let sink = try await SMTPPeerProcess.sink()
        defer { sink.stop() }
        let report = try await SMTPClient().deliver(message, over: try await sink.connect(), security: .plaintext)
        #expect(report.isDeliveredToEveryRecipient)
        let dump = String(decoding: try #require(try await sink.files(prefix: "msg.").first), as: UTF8.self)
        #expect(dump.contains("X-Rcpt-Args: <b@example.test>\n") && dump.contains("X-Rcpt-Args: <c@example.test>\n"))
        #expect(dump.contains("Subject: sink\n\nbody\n"))
    }

    @Test("RCPT refused with 4xx for all (-r RCPT): each recipient's 4xx in the report, no DATA, no message")
    func everyRecipientDeferred() async throws {
        let sink = try await SMTPPeerProcess.sink(["-r", "RCPT"])
        defer { sink.stop() }
        let report = try await SMTPClient().deliver(message, over: try await sink.connect(), security: .plaintext)
        #expect(report.dataReply == nil)
        #expect(report.replies.allSatisfy { $0.isTransientFailure })
        #expect(report.replies.count == 2)
        let dumps = try await sink.files(prefix: "msg.", waitingFor: 0)
        #expect(!dumps.contains { String(decoding: $0, as: UTF8.self).contains("Subject: sink") })
    }

    @Test("The final dot refused with 5xx (-f .): both accepted recipients carry the message's refusal")
    func messageRefused() async throws {
        let sink = try await SMTPPeerProcess.sink(["-f", "."])
        defer { sink.stop() }
        let report = try await SMTPClient().deliver(message, over: try await sink.connect(), security: .plaintext)
        #expect(report.recipientReplies.map(\.code) == [250, 250])
        #expect(report.dataReply?.isPermanentFailure == true)
        #expect(report.deliveredRecipients == [false, false])
    }
}
