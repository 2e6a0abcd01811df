import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Synchronization
import Testing

/// `SMTPClient.connect(to:port:)` and `send(_:over:security:tls:)`: plaintext, STARTTLS
/// (RFC 3207) and implicit TLS (RFC 8314) against aiosmtpd on loopback, whose certificate
/// names DNS:localhost and IP:127.0.0.1. Serialized like the other aiosmtpd suites (peers
/// listen on ports picked free beforehand).
@Suite("SMTPClient.connect against aiosmtpd on loopback", .serialized, .enabled(if: TestPeers.shouldRun(SMTPPeerProcess.hasAiosmtpdAndOpenSSL)))
struct SMTPClientConnectionInteropTests {
    let message: SMTPMessage

    init() throws {
        message = try SMTPMessage(
            sender: "noreply@example.test", recipients: ["admin@example.test"],
            content: Array("Subject: connect\r\nFrom: <noreply@example.test>\r\n\r\nHello.\r\n".utf8))
    }

    func client() -> SMTPClient {
        var configuration = SMTPClient.Configuration()
        configuration.heloName = "client.test"
        configuration.timeouts = SMTPClient.Timeouts(everyStep: .seconds(60))
        return SMTPClient(configuration: configuration)
    }

    /// The envelopes the peer recorded (waiting for `count` of them).
    func envelopes(_ peer: SMTPPeerProcess, waitingFor count: Int = 1) async throws -> [[String: Any]] {
        try await peer.files(suffix: ".json", waitingFor: count).map { try #require(try JSONSerialization.jsonObject(with: $0) as? [String: Any]) }
    }

    @Test("STARTTLS required, offered, certificate verified for the host's name: delivered over TLS")
    func startTLS() async throws {
        let peer = try await SMTPPeerProcess.aiosmtpd(tls: .startTLS)
        defer { peer.stop() }
        let connection = try await client().connect(to: "localhost", port: peer.port)
        #expect(connection.isOnLoopback)
        #expect(connection.host == "localhost")
        let reply = try await client().send(
            message, over: connection, security: .startTLS(required: true), tls: .init(trustedCertificateAuthorityFile: peer.certificatePath))
        #expect(reply.code == 250)
        let envelope = try #require(try await envelopes(peer).first)
        #expect(envelope["tls"] as? Bool == true)
        #expect(envelope["rcpt_tos"] as? [String] == ["admin@example.test"])
        #expect(try await peer.files(suffix: ".eml").first == Data(message.content))
    }

    @Test("STARTTLS required but not advertised: tlsUnavailable, permanent, and nothing delivered")
    func startTLSRequiredButNotAdvertised() async throws {
        let peer = try await SMTPPeerProcess.aiosmtpd()
        defer { peer.stop() }
        let error = await #expect(throws: SMTPError.tlsUnavailable) {
            try await client().send(message, to: "127.0.0.1", port: peer.port, security: .startTLS(required: true))
        }
        #expect(error?.isTransient == false)
        #expect(try await envelopes(peer, waitingFor: 0).isEmpty)
    }

    @Test("STARTTLS not required: plaintext to a server that does not offer it, TLS to one that does")
    func opportunistic() async throws {
        let plain = try await SMTPPeerProcess.aiosmtpd()
        defer { plain.stop() }
        try await client().send(message, to: "127.0.0.1", port: plain.port, security: .startTLS(required: false))
        #expect(try await envelopes(plain).first?["tls"] as? Bool == false)

        let encrypted = try await SMTPPeerProcess.aiosmtpd(tls: .startTLS)
        defer { encrypted.stop() }
        try await client().send(
            message, to: "127.0.0.1", port: encrypted.port, security: .startTLS(required: false),
            tls: .init(serverName: "localhost", trustedCertificateAuthorityFile: encrypted.certificatePath))
        #expect(try await envelopes(encrypted).first?["tls"] as? Bool == true)
    }

    @Test("A trusted certificate that does not name the server: tlsFailed with the certificate rejection as its cause, nothing delivered", arguments: [
        SMTPClient.ConnectionSecurity.startTLS(required: true), .startTLS(required: false), .implicitTLS,
    ])
    func certificateForAnotherName(security: SMTPClient.ConnectionSecurity) async throws {
        let peer = try await SMTPPeerProcess.aiosmtpd(tls: security == .implicitTLS ? .implicit : .startTLS)
        defer { peer.stop() }
        for serverName in ["relay.example.test", "127.0.0.2"] {
            let error = await #expect(throws: SMTPError.tlsFailed) {
                try await client().send(
                    message, to: "127.0.0.1", port: peer.port, security: security,
                    tls: .init(serverName: serverName, trustedCertificateAuthorityFile: peer.certificatePath))
            }
            #expect(error?.networkError == .certificateRejected(""))
            #expect(error?.isTransient == false)
        }
        #expect(try await envelopes(peer, waitingFor: 0).isEmpty)
    }

    @Test("A certificate nobody trusts (the system store does not know it): tlsFailed")
    func untrustedCertificate() async throws {
        let peer = try await SMTPPeerProcess.aiosmtpd(tls: .startTLS)
        defer { peer.stop() }
        await #expect(throws: SMTPError.tlsFailed) {
            try await client().send(message, to: "localhost", port: peer.port, security: .startTLS(required: true))
        }
        #expect(try await envelopes(peer, waitingFor: 0).isEmpty)
    }

    @Test("Implicit TLS: the handshake comes before the greeting; the IP address is checked against the certificate's")
    func implicitTLS() async throws {
        let peer = try await SMTPPeerProcess.aiosmtpd(tls: .implicit)
        defer { peer.stop() }
        try await client().send(
            message, to: "127.0.0.1", port: peer.port, security: .implicitTLS, tls: .init(trustedCertificateAuthorityFile: peer.certificatePath))
        #expect(try await envelopes(peer).first?["tls"] as? Bool == true)
    }

    @Test("TLSOptions.minimumVersion: TLS 1.3 required of a TLS 1.2-only server is tlsFailed before any byte of mail; TLS 1.2 allowed delivers")
    func minimumVersion() async throws {
        let peer = try await SMTPPeerProcess.aiosmtpd(tls: .startTLS, tls12Only: true)
        defer { peer.stop() }
        var options = SMTPClient.TLSOptions(serverName: "localhost", trustedCertificateAuthorityFile: peer.certificatePath)
        #expect(options.minimumVersion == .tls12)
        options.minimumVersion = .tls13
        let error = await #expect(throws: SMTPError.tlsFailed) {
            try await client().send(message, to: "127.0.0.1", port: peer.port, security: .startTLS(required: true), tls: options)
        }
        #expect(error?.networkError == .tlsHandshake(""))
        #expect(try await envelopes(peer, waitingFor: 0).isEmpty)
        options.minimumVersion = .tls12
        try await client().send(message, to: "127.0.0.1", port: peer.port, security: .startTLS(required: true), tls: options)
        #expect(try await envelopes(peer).first?["tls"] as? Bool == true)
    }

    @Test("Implicit TLS to a server that speaks plaintext: a typed failure, not a hang or a crash")
    func implicitTLSToPlaintext() async throws {
        let peer = try await SMTPPeerProcess.aiosmtpd()
        defer { peer.stop() }
        let error = await #expect(throws: SMTPError.self) {
            try await client().send(message, to: "127.0.0.1", port: peer.port, security: .implicitTLS, tls: .init(serverName: "localhost"))
        }
        #expect(error == .tlsFailed || error == .protocolError)
        #expect(try await envelopes(peer, waitingFor: 0).isEmpty)
    }

    @Test("An empty TLS server name is refused before a byte is read: it would switch the name check off")
    func emptyServerName() async throws {
        let peer = try await SMTPPeerProcess.aiosmtpd(tls: .startTLS)
        defer { peer.stop() }
        await #expect(throws: SMTPError.insecureConfiguration) {
            try await client().send(
                message, to: "127.0.0.1", port: peer.port, security: .startTLS(required: true),
                tls: .init(serverName: "", trustedCertificateAuthorityFile: peer.certificatePath))
        }
        #expect(try await envelopes(peer, waitingFor: 0).isEmpty)
    }

    @Test("Credentials never go over TLS whose certificate is not checked: insecureConfiguration, nothing sent")
    func credentialsNeedAVerifiedServer() async throws {
        let peer = try await SMTPPeerProcess.aiosmtpd(tls: .startTLS)
        defer { peer.stop() }
        var configuration = SMTPClient.Configuration()
        configuration.heloName = "client.test"
        configuration.credentials = SMTPCredentials(username: "alice", password: "secret")
        var tls = SMTPClient.TLSOptions(serverName: "localhost", trustedCertificateAuthorityFile: peer.certificatePath)
        tls.verifiesCertificate = false
        await #expect(throws: SMTPError.insecureConfiguration) {
            try await SMTPClient(configuration: configuration).send(
                message, to: "127.0.0.1", port: peer.port, security: .startTLS(required: true), tls: tls)
        }
        #expect(try await envelopes(peer, waitingFor: 0).isEmpty)
    }
}

@Suite("SMTPClient.connect without a peer")
struct SMTPClientConnectTests {
    @Test("Nothing listening: cannotConnect, transient, the refusal kept as the cause")
    func refused() async throws {
        let port = try ChildProcess.freePort()
        let error = await #expect(throws: SMTPError.cannotConnect) { try await SMTPClient().connect(to: "127.0.0.1", port: port) }
        #expect(error?.isTransient == true)
        #expect(error?.networkError == .connectionRefused(""))
    }

    @Test("A name that does not exist: cannotConnect, not transient (the resolver's answer kept as the cause)")
    func unknownName() async {
        let error = await #expect(throws: SMTPError.cannotConnect) {
            try await SMTPClient().connect(to: "no-such-host.invalid", port: 25)
        }
        if error?.networkError == .unreachable("") {
            // No resolver could be asked (an offline machine): "try again" is the right answer.
            #expect(error?.isTransient == true)
        } else {
            #expect(error?.networkError == .invalidAddress(""))
            #expect(error?.isTransient == false)
        }
    }

    @Test("Each address gets a fair share of what is left of the connect timeout, at least the minimum, never past it")
    func addressesShareTheDeadline() {
        let now = ContinuousClock.now
        let overall = now + .seconds(60)
        let share = { (left: Int, minimum: Duration) in
            SMTPClient.attemptDeadline(overall: overall, addressesLeft: left, minimumShare: minimum, now: now) - now
        }
        #expect(share(4, .seconds(5)) == .seconds(15))
        #expect(share(1, .seconds(5)) == .seconds(60))
        #expect(share(30, .seconds(5)) == .seconds(5))
        #expect(share(2, .seconds(90)) == .seconds(60))
        #expect(SMTPClient.attemptDeadline(overall: now, addressesLeft: 3, minimumShare: .seconds(5), now: now + .seconds(1)) == now)
    }

    @Test("cannotConnect is as transient as its network cause: a name that does not exist repeats, refusals and timeouts pass")
    func cannotConnectDefersToItsCause() {
        let unknown = SMTPError.cannotConnect.with(message: "resolve", networkError: .invalidAddress("no such name"))
        #expect(unknown.isTransient == false)
        for cause in [NetworkError.connectionRefused("refused"), .timedOut("late"), .unreachable("no route")] {
            #expect(SMTPError.cannotConnect.with(message: "connect", networkError: cause).isTransient == true)
        }
        // Without a cause (no address answered) it stays transient.
        #expect(SMTPError.cannotConnect.isTransient == true)
    }

    @Test("STARTTLS refused with 454: a transient tlsUnavailable carrying the code, and no plaintext MAIL after it")
    func startTLSRefused() async throws {
        let listener = try TCPListener(address: SocketAddress("127.0.0.1:0"))
        let transcript = Mutex<[String]>([])
        let serving = Task {
            try await listener.serve { connection in
                let far = ContinuousClock.now + .seconds(600)
                try? await connection.write(Array("220 mx.test ESMTP\r\n".utf8), deadline: far)
                var buffer = ""
                while let bytes = try? await connection.read(maximumCount: 4096, deadline: far), !bytes.isEmpty {
                    buffer += String(decoding: bytes, as: UTF8.self)
                    while let end = buffer.range(of: "\r\n") {
                        let line = String(buffer[..<end.lowerBound])
                        buffer.removeSubrange(..<end.upperBound)
                        transcript.withLock { $0.append(line) }
                        let reply =
                            line.hasPrefix("EHLO") ? "250-mx.test\r\n250 STARTTLS\r\n"
                            : line == "STARTTLS" ? "454 4.7.0 TLS not available due to temporary reason\r\n" : "221 bye\r\n"
                        try? await connection.write(Array(reply.utf8), deadline: far)
                    }
                }
            }
        }
        defer {
            listener.close()
            serving.cancel()
        }
        let message = try SMTPMessage(sender: "a@example.test", recipients: ["b@example.test"], content: Array("x".utf8))
        let error = await #expect(throws: SMTPError.tlsUnavailable) {
            try await SMTPClient().send(
                message, to: "127.0.0.1", port: listener.localAddress.port, security: .startTLS(required: false),
                tls: .init(serverName: "mx.test"))
        }
        #expect(error?.replyCode == 454)
        #expect(error?.isTransient == true)
        try await waitUntil("the client sends QUIT") { transcript.withLock { $0.contains("QUIT") } }
        #expect(!transcript.withLock { $0.contains { $0.hasPrefix("MAIL") } })
    }
}
