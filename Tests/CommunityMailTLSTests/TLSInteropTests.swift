import CommunityMailSystem
import CommunityMailTLS
import CommunityMailTestSupport
import Foundation
import Synchronization
import Testing

/// Our TLS against OpenSSL's own programs on loopback, over `TCPConnection` and
/// `TCPListener`: `openssl s_server` as the server for our client, `openssl s_client` as
/// the client of our server, directly and after SMTP's STARTTLS.
@Suite("TLSStream against openssl s_server and s_client", .enabled(if: TestPeers.shouldRun(TestPeers.executable("openssl") != nil)))
struct TLSInteropTests {
    static func deadline() -> ContinuousClock.Instant { .now + .seconds(120) }

    // MARK: Our client, OpenSSL's server

    /// Starts `openssl s_server` on a free loopback port with `leaf`, plus `extra` options.
    static func startServer(_ leaf: (chain: String, key: String), _ extra: [String]) async throws -> (ChildProcess, UInt16) {
        let port = try ChildProcess.freePort()
        let server = try ChildProcess(try TestCertificates.executable, [
            "s_server", "-accept", "127.0.0.1:\(port)", "-cert", leaf.chain, "-key", leaf.key,
        ] + extra)
        try await server.waitForTCPPort(port)
        return (server, port)
    }

    static func connect(port: UInt16, _ configuration: TLSClientConfiguration) async throws -> TLSStream {
        let connection = try await TCPConnection.connect(to: try SocketAddress("127.0.0.1:\(port)"), deadline: deadline())
        return try await TLSStream.connect(over: connection, configuration: configuration, deadline: deadline())
    }

    static func configuration(_ name: String, trusting certificates: TestCertificates) -> TLSClientConfiguration {
        var configuration = TLSClientConfiguration(serverName: name)
        configuration.trustedCertificateAuthorityFile = certificates.authority
        return configuration
    }

    @Test("Our client fetches s_server -www's status page over a verified TLS 1.3 session and sees its close_notify")
    func clientAgainstServer() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let (server, port) = try await Self.startServer(leaf, ["-www"])
        defer { server.stop() }
        let tls = try await Self.connect(port: port, Self.configuration("localhost", trusting: certificates))
        #expect(tls.protocolVersion == .tls13)
        try await tls.write(Array("GET / HTTP/1.0\r\n\r\n".utf8), deadline: Self.deadline())
        var page: [UInt8] = []
        while true {
            let chunk = try await tls.read(maximumCount: 65_536, deadline: Self.deadline())
            if chunk.isEmpty { break }
            page += chunk
        }
        let text = String(decoding: page, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.0 200 ok"), "\(text.prefix(200))")
        // s_server reports what it negotiated with us.
        #expect(text.contains("TLSv1.3"), "\(text.prefix(2_000))")
        await tls.close()
    }

    @Test("Our client speaks TLS 1.2 to a server limited to it, and refuses it when it requires 1.3")
    func tls12Server() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let (server, port) = try await Self.startServer(leaf, ["-www", "-tls1_2"])
        defer { server.stop() }
        let tls = try await Self.connect(port: port, Self.configuration("localhost", trusting: certificates))
        #expect(tls.protocolVersion == .tls12)
        await tls.close()
        var strict = Self.configuration("localhost", trusting: certificates)
        strict.minimumVersion = .tls13
        await #expect(throws: NetworkError.tlsHandshake("")) { _ = try await Self.connect(port: port, strict) }
    }

    @Test("A server that speaks only TLS 1.1 is refused in the handshake")
    func tls11Server() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        // Security level 0: OpenSSL 3 itself refuses TLS 1.1 otherwise.
        let (server, port) = try await Self.startServer(leaf, ["-www", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"])
        defer { server.stop() }
        await #expect(throws: NetworkError.tlsHandshake("")) {
            _ = try await Self.connect(port: port, Self.configuration("localhost", trusting: certificates))
        }
    }

    @Test("s_server's certificate for localhost is rejected for another name and without its authority")
    func clientRejectsServer() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let stranger = try await TestCertificates.makeAuthority(named: "Stranger CA")
        let leaf = try await certificates.makeLeaf("localhost")
        let (server, port) = try await Self.startServer(leaf, ["-www"])
        defer { server.stop() }
        await #expect(throws: NetworkError.certificateRejected("")) {
            _ = try await Self.connect(port: port, Self.configuration("mail.example.org", trusting: certificates))
        }
        await #expect(throws: NetworkError.certificateRejected("")) {
            _ = try await Self.connect(port: port, Self.configuration("localhost", trusting: stranger))
        }
    }

    // MARK: OpenSSL's client, our server

    /// A listener on a loopback port running `handler` for each connection, until stopped.
    final class RunningServer: Sendable {
        let listener: TCPListener
        let serving: Task<Void, any Error>

        init(_ handler: @escaping @Sendable (TCPConnection) async -> Void) throws {
            let listener = try TCPListener(address: try SocketAddress("127.0.0.1:0"))
            self.listener = listener
            serving = Task { try await listener.serve(handler) }
        }

        var port: UInt16 { listener.localAddress.port }

        func stop() async {
            listener.close()
            _ = await serving.result
        }
    }

    /// Outcomes our server's handler records for the test to look at.
    final class Outcomes: Sendable {
        private let entries = Mutex<[String]>([])
        func record(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    /// Runs `openssl` with `arguments` to its end (stopped after two minutes, so a hung
    /// peer fails the test instead of blocking it), and returns its status and output.
    static func runOpenSSL(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let child = try ChildProcess(try TestCertificates.executable, arguments)
        let watchdog = Task {
            try await Task.sleep(for: .seconds(120))
            child.stop()
        }
        let status = await child.exited()
        watchdog.cancel()
        return (status, child.output)
    }

    @Test("s_client verifies our server's certificate, gets its greeting, and sees its close_notify")
    func serverAgainstClient() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        let outcomes = Outcomes()
        let server = try RunningServer { connection in
            do {
                let tls = try await TLSStream.accept(over: connection, context: context, deadline: Self.deadline())
                outcomes.record("sni=\(tls.requestedServerName ?? "-") \(tls.protocolVersion)")
                try await tls.write(Array("greetings from our TLS server\n".utf8), deadline: Self.deadline())
                await tls.close()
            } catch {
                outcomes.record("failed: \(error)")
            }
        }
        let (status, output) = try await Self.runOpenSSL([
            "s_client", "-connect", "127.0.0.1:\(server.port)", "-servername", "localhost", "-CAfile", certificates.authority,
            "-verify_return_error", "-verify_hostname", "localhost", "-ign_eof",
        ])
        await server.stop()
        #expect(status == 0, "\(output)")
        #expect(output.contains("greetings from our TLS server"), "\(output)")
        #expect(output.contains("Verify return code: 0 (ok)"), "\(output)")
        #expect(outcomes.all == ["sni=localhost TLSv1.3"])
    }

    @Test("A client that offers only TLS 1.1 is refused by our server")
    func tls11Client() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        let outcomes = Outcomes()
        let server = try RunningServer { connection in
            do {
                let tls = try await TLSStream.accept(over: connection, context: context, deadline: Self.deadline())
                outcomes.record("accepted \(tls.protocolVersion)")
                await tls.close()
            } catch {
                outcomes.record((error as? NetworkError) == .tlsHandshake("") ? "refused" : "failed otherwise: \(error)")
            }
        }
        let (status, output) = try await Self.runOpenSSL([
            "s_client", "-connect", "127.0.0.1:\(server.port)", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0",
            "-CAfile", certificates.authority,
        ])
        await server.stop()
        #expect(status != 0, "\(output)")
        #expect(outcomes.all == ["refused"])
    }

    // MARK: STARTTLS

    /// A test-only SMTP greeter (RFC 5321, 3207): 220, EHLO -> 250-STARTTLS, STARTTLS ->
    /// 220, then TLS over the same connection, a greeting in TLS and close_notify.
    /// Plaintext read past the STARTTLS line is discarded, as the upgrade requires.
    static func smtpGreeter(context: TLSServerContext, outcomes: Outcomes) -> @Sendable (TCPConnection) async -> Void {
        { connection in
            do {
                var buffered: [UInt8] = []
                func line() async throws -> String {
                    while true {
                        if let end = buffered.firstIndex(of: 10) {
                            let text = String(decoding: buffered[..<end], as: UTF8.self)
                            buffered.removeSubrange(...end)
                            return text.hasSuffix("\r") ? String(text.dropLast()) : text
                        }
                        let chunk = try await connection.read(maximumCount: 4_096, deadline: Self.deadline())
                        guard !chunk.isEmpty else { throw NetworkError.closed("the client left") }
                        buffered += chunk
                    }
                }
                func reply(_ text: String) async throws {
                    try await connection.write(Array(text.utf8), deadline: Self.deadline())
                }
                try await reply("220 localhost ESMTP test greeter\r\n")
                while true {
                    let command = try await line()
                    let verb = command.split(separator: " ").first.map { $0.uppercased() } ?? ""
                    if verb == "EHLO" {
                        try await reply("250-localhost\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
                    } else if verb == "STARTTLS" {
                        try await reply("220 2.0.0 ready to start TLS\r\n")
                        break
                    } else {
                        try await reply("503 5.5.1 STARTTLS first\r\n")
                    }
                }
                // Anything read ahead came before the handshake: it is not part of the session.
                buffered.removeAll()
                let tls = try await TLSStream.accept(over: connection, context: context, deadline: Self.deadline())
                outcomes.record("upgraded sni=\(tls.requestedServerName ?? "-")")
                try await tls.write(Array("250 greetings over STARTTLS\r\n".utf8), deadline: Self.deadline())
                await tls.close()
            } catch {
                outcomes.record("failed: \(error)")
            }
        }
    }

    @Test("openssl s_client -starttls smtp upgrades a connection to our greeter and verifies it")
    func startTLS() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        let outcomes = Outcomes()
        let server = try RunningServer(Self.smtpGreeter(context: context, outcomes: outcomes))
        let (status, output) = try await Self.runOpenSSL([
            "s_client", "-starttls", "smtp", "-connect", "127.0.0.1:\(server.port)", "-servername", "localhost",
            "-CAfile", certificates.authority, "-verify_return_error", "-verify_hostname", "localhost", "-ign_eof",
        ])
        await server.stop()
        #expect(status == 0, "\(output)")
        #expect(output.contains("250 greetings over STARTTLS"), "\(output)")
        #expect(output.contains("Verify return code: 0 (ok)"), "\(output)")
        #expect(outcomes.all == ["upgraded sni=localhost"])
    }

    @Test("Our client upgrades with STARTTLS to our greeter over TCP")
    func startTLSBothOurs() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        let outcomes = Outcomes()
        let server = try RunningServer(Self.smtpGreeter(context: context, outcomes: outcomes))
        let connection = try await TCPConnection.connect(to: try SocketAddress("127.0.0.1:\(server.port)"), deadline: Self.deadline())
        var plaintext: [UInt8] = []
        func readUntil(_ marker: String) async throws {
            while !String(decoding: plaintext, as: UTF8.self).contains(marker) {
                let chunk = try await connection.read(maximumCount: 4_096, deadline: Self.deadline())
                guard !chunk.isEmpty else { throw NetworkError.closed("the greeter left") }
                plaintext += chunk
            }
        }
        try await readUntil("220 localhost")
        try await connection.write(Array("EHLO client.example\r\n".utf8), deadline: Self.deadline())
        try await readUntil("250 STARTTLS")
        try await connection.write(Array("STARTTLS\r\n".utf8), deadline: Self.deadline())
        try await readUntil("220 2.0.0")
        plaintext.removeAll()  // the client side of the same rule
        let tls = try await TLSStream.connect(
            over: connection, configuration: Self.configuration("localhost", trusting: certificates), deadline: Self.deadline())
        var received: [UInt8] = []
        while true {
            let chunk = try await tls.read(maximumCount: 1_024, deadline: Self.deadline())
            if chunk.isEmpty { break }
            received += chunk
        }
        #expect(String(decoding: received, as: UTF8.self) == "250 greetings over STARTTLS\r\n")
        await tls.close()
        await server.stop()
        #expect(outcomes.all == ["upgraded sni=localhost"])
    }
}
