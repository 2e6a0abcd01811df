import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

/// Serialized, like MemberSync's aiosmtpd suite: each peer listens on a port picked free
/// beforehand, and peers starting at once on a loaded machine can be handed the same one.
@Suite("SMTPClient against Postfix's smtp-sink on loopback", .serialized, .enabled(if: TestPeers.shouldRun(SMTPPeerProcess.hasSink)))
struct SMTPSinkInteropTests {
    func client() -> SMTPClient {
        var configuration = SMTPClient.Configuration()
        configuration.heloName = "client.test"
        return SMTPClient(configuration: configuration)
    }

    let message: SMTPMessage

    init() throws {
        message = try SMTPMessage(
            sender: "a@example.test", recipients: ["b@example.test", "c@example.test"],
            content: Array("Subject: interop\n\n.leading dot\n..two dots\nlast line".utf8))
    }

    @Test("A pipelined delivery arrives with its envelope and its dots unstuffed")
    func delivers() async throws {
        let sink = try await SMTPPeerProcess.sink()
        defer { sink.stop() }
        let reply = try await client().send(message, over: try await sink.connect(), security: .plaintext)
        #expect(reply.code == 250)
        let dump = String(decoding: try #require(try await sink.files(prefix: "msg.").first), as: UTF8.self)
        #expect(dump.contains("X-Helo-Args: client.test"))
        #expect(dump.contains("X-Mail-Args: <a@example.test>"))
        #expect(dump.contains("X-Rcpt-Args: <b@example.test>\n") && dump.contains("X-Rcpt-Args: <c@example.test>\n"))
        #expect(dump.contains("Subject: interop\n\n.leading dot\n..two dots\nlast line\n"))
    }

    @Test("RCPT refused with 4xx: a transient rejection, and no message")
    func softRefusal() async throws {
        let sink = try await SMTPPeerProcess.sink(["-r", "RCPT"])
        defer { sink.stop() }
        let error = await #expect(throws: SMTPError.rejected) {
            try await client().send(message, over: try await sink.connect(), security: .plaintext)
        }
        #expect(error.map { (400..<500).contains($0.replyCode ?? 0) } == true)
        #expect(error?.isTransient == true)
        // smtp-sink opens a dump at MAIL; the message must not be in it.
        let dumps = try await sink.files(prefix: "msg.", waitingFor: 0)
        #expect(!dumps.contains { String(decoding: $0, as: UTF8.self).contains("Subject: interop") })
    }

    @Test("MAIL refused with 5xx: a permanent rejection")
    func hardRefusal() async throws {
        let sink = try await SMTPPeerProcess.sink(["-f", "MAIL"])
        defer { sink.stop() }
        let error = await #expect(throws: SMTPError.rejected) {
            try await client().send(message, over: try await sink.connect(), security: .plaintext)
        }
        #expect(error.map { (500..<600).contains($0.replyCode ?? 0) } == true)
        #expect(error?.isTransient == false)
    }

    @Test("TLS required and smtp-sink offers no STARTTLS: tlsUnavailable")
    func noStartTLS() async throws {
        let sink = try await SMTPPeerProcess.sink()
        defer { sink.stop() }
        await #expect(throws: SMTPError.tlsUnavailable) {
            try await client().send(message, over: try await sink.connect(), security: .startTLS { stream, _ throws(NetworkError) in stream })
        }
    }
}

@Suite("SMTPClient against aiosmtpd on loopback: SMTPUTF8 and 8BITMIME", .serialized, .enabled(if: TestPeers.shouldRun(SMTPPeerProcess.hasAiosmtpd)))
struct SMTPUTF8InteropTests {
    let message: SMTPMessage

    init() throws {
        message = try SMTPMessage(
            sender: "noreply@example.test", recipients: ["ana.núñez@example.test"],
            content: Array("Subject: Núñez\r\nFrom: <noreply@example.test>\r\n\r\nHola, Núñez.\r\n".utf8))
    }

    @Test("Offered: MAIL carries SMTPUTF8 and BODY=8BITMIME, and the bytes arrive as sent")
    func offered() async throws {
        let peer = try await SMTPPeerProcess.aiosmtpd(smtputf8: true)
        defer { peer.stop() }
        try await SMTPClient().send(message, over: try await peer.connect(), security: .plaintext)
        let record = try #require(try await peer.files(suffix: ".json").first)
        let envelope = try #require(try JSONSerialization.jsonObject(with: record) as? [String: Any])
        #expect(envelope["rcpt_tos"] as? [String] == ["ana.núñez@example.test"])
        let options = try #require(envelope["mail_options"] as? [String])
        #expect(options.contains("SMTPUTF8") && options.contains("BODY=8BITMIME"))
        #expect(try await peer.files(suffix: ".eml").first == Data(message.content))
    }

    @Test("Not offered: extensionUnavailable before MAIL, nothing delivered")
    func notOffered() async throws {
        let peer = try await SMTPPeerProcess.aiosmtpd(smtputf8: false)
        defer { peer.stop() }
        await #expect(throws: SMTPError.extensionUnavailable) {
            try await SMTPClient().send(message, over: try await peer.connect(), security: .plaintext)
        }
        #expect(try await peer.files(suffix: ".json", waitingFor: 0).isEmpty)
    }
}

@Suite("SMTPClient over TCP on loopback")
struct SMTPClientTCPTests {
    @Test("Cancelling the sending task ends the wait for a server that never greets with SMTPError.cancelled")
    func cancellation() async throws {
        let listener = try TCPListener(address: SocketAddress("127.0.0.1:0"))
        // Holds each connection open, silent, until the listener closes.
        let serving = Task { try await listener.serve { connection in _ = try? await connection.read(maximumCount: 1, deadline: .now + .seconds(600)) } }
        defer {
            listener.close()
            serving.cancel()
        }
        let connection = try await TCPConnection.connect(to: listener.localAddress, deadline: .now + .seconds(60))
        let message = try SMTPMessage(sender: "a@example.test", recipients: ["b@example.test"], content: Array("x".utf8))
        let sending = Task { () async throws(SMTPError) -> SMTPReply in
            try await SMTPClient().send(message, over: connection, security: .plaintext)
        }
        sending.cancel()
        let result = await sending.result
        #expect(throws: SMTPError.cancelled) { try result.get() }
    }
}
