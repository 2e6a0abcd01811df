import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTLS
import CommunityMailTestSupport
import Foundation
import Testing

/// SMTPServerSession behind a loopback TCPListener, with Python's smtplib as the client.
@Suite("SMTPServerSession against Python's smtplib on loopback", .enabled(if: TestPeers.shouldRun(TestPeers.python != nil)))
struct SMTPServerSessionInteropTests {
    /// The messages the server accepted.
    actor Received {
        private(set) var messages: [SMTPReceivedMessage] = []
        /// For each message, whether it came over TLS.
        private(set) var overTLS: [Bool] = []
        func add(_ message: SMTPReceivedMessage, overTLS tls: Bool) {
            messages.append(message)
            overTLS.append(tls)
        }
    }

    /// Runs one session over `connection`: recipients at reject.test get 550, the rest 250;
    /// STARTTLS is offered when there is a `tls` context.
    static func drive(_ connection: TCPConnection, into received: Received, tls: TLSServerContext? = nil) async {
        var configuration = SMTPServerSession.Configuration(serverName: "mx.test")
        configuration.offersStartTLS = tls != nil
        var session = SMTPServerSession(configuration: configuration)
        var stream: any ByteStream = connection
        var events = session.start()
        while true {
            var outgoing: [UInt8] = []
            var closing = false
            var startsTLS = false
            while !events.isEmpty {
                switch events.removeFirst() {
                case .reply(let reply): outgoing += reply.encoded
                case .recipient(let address):
                    let refused = address.hasSuffix("@reject.test")
                    events += session.resolveRecipient(refused ? SMTPReply(550, "5.1.1 no such user") : SMTPReply(250, "2.1.5 OK"))
                case .message(let message):
                    await received.add(message, overTLS: session.isTLSActive)
                    events += session.resolveMessage(SMTPReply(250, "2.0.0 queued"))
                case .startTLS: startsTLS = true
                case .close: closing = true
                }
            }
            if !outgoing.isEmpty { try? await stream.write(outgoing, deadline: .now + .seconds(60)) }
            if startsTLS, let tls {
                guard let secure = try? await TLSStream.accept(over: stream, context: tls, deadline: .now + .seconds(60)) else { return }
                stream = secure
                events = session.tlsEstablished()
                continue
            }
            guard !closing, let bytes = try? await stream.read(maximumCount: 65_536, deadline: .now + .seconds(60)), !bytes.isEmpty
            else { return }
            events = session.receive(bytes)
        }
    }

    /// Serves one listener while `body` runs smtplib against it with `content`.
    func withSMTPLib(
        recipients: String, content: [UInt8], tls: TLSServerContext? = nil, clientArguments: [String] = []
    ) async throws -> (output: String, messages: [SMTPReceivedMessage], overTLS: [Bool]) {
        let python = try #require(TestPeers.python)
        let listener = try TCPListener(address: SocketAddress("127.0.0.1:0"))
        let received = Received()
        let serving = Task { try await listener.serve { connection in await Self.drive(connection, into: received, tls: tls) } }
        defer {
            listener.close()
            serving.cancel()
        }
        let folder = try TemporaryDirectory(prefix: "smtplib")
        try Data(content).write(to: folder.url.appendingPathComponent("message.eml"))
        let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/Peers/smtplib_sender.py").path
        let client = try ChildProcess(python, [
            script, String(listener.localAddress.port), "a@example.test", recipients, folder.path("message.eml"),
        ] + clientArguments)
        #expect(await client.exited() == 0)
        return (client.output, await received.messages, await received.overTLS)
    }

    @Test("smtplib delivers: the refused recipient is reported, the message arrives unstuffed")
    func smtplibDelivers() async throws {
        let content = Array("Subject: from smtplib\r\n\r\n.leading dot\r\nNúñez\r\n".utf8)
        let (output, messages, _) = try await withSMTPLib(recipients: "b@example.test,c@reject.test", content: content)
        #expect(output.contains("refused c@reject.test 550"))
        #expect(output.contains("sent"))
        #expect(messages.map(\.recipients) == [["b@example.test"]])
        #expect(messages.first?.sender == "a@example.test")
        #expect(messages.first?.content == content)
    }

    @Test("smtplib sending bytes with bare LF line ends gets 550 after DATA, and nothing is accepted")
    func bareLineFeeds() async throws {
        let (output, messages, _) = try await withSMTPLib(
            recipients: "b@example.test", content: Array("Subject: bare\n\nline\n.\nsmuggled?\n".utf8))
        #expect(output.contains("error: SMTPDataError 550"))
        #expect(messages.isEmpty)
    }

    @Test("smtplib upgrades with STARTTLS (TLSStream.accept, a certificate it verifies), greets again and delivers over TLS",
          .enabled(if: TestPeers.shouldRun(TestPeers.executable("openssl") != nil)))
    func startTLS() async throws {
        let openssl = try #require(TestPeers.executable("openssl"))
        let certificates = try TemporaryDirectory(prefix: "smtp-tls")
        let certificate = certificates.path("cert.pem"), key = certificates.path("key.pem")
        let make = try ChildProcess(openssl, [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
        #expect(await make.exited() == 0)
        let context = try await TLSServerContext(certificateChainFile: certificate, privateKeyFile: key)
        let content = Array("Subject: over TLS\r\n\r\nsecret-free body\r\n".utf8)
        let (output, messages, overTLS) = try await withSMTPLib(
            recipients: "b@example.test", content: content, tls: context, clientArguments: ["--starttls", certificate])
        #expect(output.contains("tls TLSv1."))
        #expect(output.contains("sent"))
        #expect(messages.map(\.content) == [content])
        #expect(overTLS == [true])
    }
}
