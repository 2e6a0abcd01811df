import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

/// SMTPServerSession behind a loopback TCPListener, with Python's smtplib as the client.
@Suite("SMTPServerSession against Python's smtplib on loopback", .enabled(if: TestPeers.shouldRun(TestPeers.python != nil)))
struct SMTPServerSessionInteropTests {
    /// The messages the server accepted.
    actor Received {
        private(set) var messages: [SMTPReceivedMessage] = []
        func add(_ message: SMTPReceivedMessage) { messages.append(message) }
    }

    /// Runs one session over `connection`: recipients at reject.test get 550, the rest 250.
    static func drive(_ connection: TCPConnection, into received: Received) async {
        var session = SMTPServerSession(configuration: SMTPServerSession.Configuration(serverName: "mx.test"))
        var events = session.start()
        while true {
            var outgoing: [UInt8] = []
            var closing = false
            while !events.isEmpty {
                switch events.removeFirst() {
                case .reply(let reply): outgoing += reply.encoded
                case .recipient(let address):
                    let refused = address.hasSuffix("@reject.test")
                    events += session.resolveRecipient(refused ? SMTPReply(550, "5.1.1 no such user") : SMTPReply(250, "2.1.5 OK"))
                case .message(let message):
                    await received.add(message)
                    events += session.resolveMessage(SMTPReply(250, "2.0.0 queued"))
                case .startTLS, .close: closing = true
                }
            }
            if !outgoing.isEmpty { try? await connection.write(outgoing, deadline: .now + .seconds(60)) }
            guard !closing, let bytes = try? await connection.read(maximumCount: 65_536, deadline: .now + .seconds(60)), !bytes.isEmpty
            else { return }
            events = session.receive(bytes)
        }
    }

    /// Serves one listener while `body` runs smtplib against it with `content`.
    func withSMTPLib(recipients: String, content: [UInt8]) async throws -> (output: String, messages: [SMTPReceivedMessage]) {
        let python = try #require(TestPeers.python)
        let listener = try TCPListener(address: SocketAddress("127.0.0.1:0"))
        let received = Received()
        let serving = Task { try await listener.serve { connection in await Self.drive(connection, into: received) } }
        defer {
            listener.close()
            serving.cancel()
        }
        let folder = try TemporaryDirectory(prefix: "smtplib")
        try Data(content).write(to: folder.url.appendingPathComponent("message.eml"))
        let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/CommunityMailSMTPTests/Peers/smtplib_client.py").path
        let client = try ChildProcess(python, [
            script, String(listener.localAddress.port), "a@example.test", recipients, folder.path("message.eml"),
        ])
        #expect(await client.exited() == 0)
        return (client.output, await received.messages)
    }

    @Test("smtplib delivers: the refused recipient is reported, the message arrives unstuffed")
    func smtplibDelivers() async throws {
        let content = Array("Subject: from smtplib\r\n\r\n.leading dot\r\nNúñez\r\n".utf8)
        let (output, messages) = try await withSMTPLib(recipients: "b@example.test,c@reject.test", content: content)
        #expect(output.contains("refused c@reject.test 550"))
        #expect(output.contains("sent"))
        #expect(messages.map(\.recipients) == [["b@example.test"]])
        #expect(messages.first?.sender == "a@example.test")
        #expect(messages.first?.content == content)
    }

    @Test("smtplib sending bytes with bare LF line ends gets 550 after DATA, and nothing is accepted")
    func bareLineFeeds() async throws {
        let (output, messages) = try await withSMTPLib(
            recipients: "b@example.test", content: Array("Subject: bare\n\nline\n.\nsmuggled?\n".utf8))
        #expect(output.contains("error: SMTPDataError 550"))
        #expect(messages.isEmpty)
    }
}
