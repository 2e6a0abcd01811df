import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MailForwarder
import Testing

/// ForwarderServer on a loopback port with real peers: Python's smtplib as the sending MTA
/// (plain and STARTTLS), aiosmtpd as the next hop behind SmarthostRelay.
@Suite("ForwarderServer on loopback with smtplib and aiosmtpd", .serialized,
       .enabled(if: TestPeers.shouldRun(TestPeers.pythonHas(["aiosmtpd"]))))
struct ForwarderLoopbackTests {
    static let content = Array("From: Alice <alice@origin.example>\r\nSubject: via smtplib\r\n\r\n.leading dot\r\nNúñez\r\n".utf8)

    /// Runs the fixture's server while smtplib sends `content` from alice@origin.example.
    func sendWithSMTPLib(
        _ fixture: ForwarderFixture, to recipients: String, content: [UInt8] = Self.content, arguments: [String] = []
    ) async throws -> String {
        let python = try #require(TestPeers.python)
        let serving = Task { try await fixture.server.run() }
        defer {
            fixture.server.close()
            serving.cancel()
        }
        let folder = try TemporaryDirectory(prefix: "forwarder-smtplib")
        try Data(content).write(to: folder.url.appendingPathComponent("message.eml"))
        let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/Peers/smtplib_sender.py").path
        let client = try ChildProcess(python, [
            script, String(fixture.server.localAddress.port), "alice@origin.example", recipients, folder.path("message.eml"),
        ] + arguments)
        #expect(await client.exited() == 0)
        return client.output
    }

    @Test("smtplib sends through the forwarder: the refused recipient gets 550, the relay gets SRS0 and the bytes after our Received field")
    func smtplibThroughForwarder() async throws {
        let fixture = try await ForwarderFixture()
        let output = try await sendWithSMTPLib(fixture, to: "ana@example.org,nobody@example.org,x@elsewhere.example")
        #expect(output.contains("refused nobody@example.org 550"))
        #expect(output.contains("refused x@elsewhere.example 550"))
        #expect(output.contains("sent"))
        let envelope = try #require(fixture.relay.envelopes.first)
        #expect(envelope.sender.hasPrefix("SRS0=") && envelope.sender.hasSuffix("@srs.example.net"))
        #expect(envelope.recipients == ["ana@home.example"])
        #expect(Array(envelope.content.suffix(Self.content.count)) == Self.content)
        #expect(String(decoding: envelope.content.prefix(80), as: UTF8.self).hasPrefix("Received: from sender.test\r\n\tby mx.example.net with ESMTP;"))
    }

    @Test("smtplib upgrades with STARTTLS to the forwarder's certificate; the Received field says ESMTPS",
          .enabled(if: TestPeers.shouldRun(TestPeers.executable("openssl") != nil)))
    func startTLS() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let (chain, key) = try await certificates.makeLeaf("forwarder")
        let fixture = try await ForwarderFixture {
            $0.tls = ForwarderServer.TLSFiles(certificateChainFile: chain, privateKeyFile: key)
        }
        let output = try await sendWithSMTPLib(fixture, to: "ana@example.org", arguments: ["--starttls", certificates.authority])
        #expect(output.contains("tls TLSv1."))
        #expect(output.contains("sent"))
        let envelope = try #require(fixture.relay.envelopes.first)
        #expect(String(decoding: envelope.content.prefix(60), as: UTF8.self).contains("with ESMTPS;"))
        #expect(Array(envelope.content.suffix(Self.content.count)) == Self.content)
    }

    @Test("openssl s_client -starttls smtp sees the forwarder's certificate and verifies it",
          .enabled(if: TestPeers.shouldRun(TestPeers.executable("openssl") != nil)))
    func opensslSeesCertificate() async throws {
        let openssl = try #require(TestPeers.executable("openssl"))
        let certificates = try await TestCertificates.makeAuthority()
        let (chain, key) = try await certificates.makeLeaf("forwarder-mx")
        let fixture = try await ForwarderFixture {
            $0.tls = ForwarderServer.TLSFiles(certificateChainFile: chain, privateKeyFile: key)
        }
        let serving = Task { try await fixture.server.run() }
        defer {
            fixture.server.close()
            serving.cancel()
        }
        // stdin is /dev/null: s_client ends after the handshake.
        let (status, output) = try await ChildProcess.run(openssl, [
            "s_client", "-brief", "-connect", "127.0.0.1:\(fixture.server.localAddress.port)", "-starttls", "smtp",
            "-CAfile", certificates.authority, "-verify_return_error", "-verify_ip", "127.0.0.1",
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains("CN = forwarder-mx") || output.contains("CN=forwarder-mx"), "\(output)")
        #expect(output.contains("Verification: OK"), "\(output)")
    }

    @Test("A certificate that cannot be loaded is ForwarderError.tlsUnavailable")
    func missingCertificate() async throws {
        await #expect(throws: ForwarderError.tlsUnavailable) {
            _ = try await ForwarderFixture {
                $0.tls = ForwarderServer.TLSFiles(certificateChainFile: "/nonexistent/chain.pem", privateKeyFile: "/nonexistent/key.pem")
            }
        }
    }

    @Test("A client over the per-address connection limit gets 421 4.7.0; the first keeps being served")
    func perAddressLimit() async throws {
        let fixture = try await ForwarderFixture { $0.listener.maximumConnectionsPerAddress = 1 }
        let serving = Task { try await fixture.server.run() }
        defer {
            fixture.server.close()
            serving.cancel()
        }
        let first = try await TCPConnection.connect(to: fixture.server.localAddress, deadline: .now + .seconds(60))
        var firstClient = TestSMTPClient(stream: first)
        #expect(try await firstClient.reply().hasPrefix("220 "))
        let second = try await TCPConnection.connect(to: fixture.server.localAddress, deadline: .now + .seconds(60))
        var secondClient = TestSMTPClient(stream: second)
        #expect(TestSMTPClient.status(try await secondClient.reply()) == "421 4.7.0")
        #expect(TestSMTPClient.status(try await firstClient.send("NOOP")) == "250 2.0.0")
        await first.close()
        await second.close()
    }

    /// aiosmtpd (Tests/Peers/aiosmtpd_recorder.py, SMTPUTF8 on) on a free loopback port, and its folder.
    func startSink() async throws -> (ChildProcess, TemporaryDirectory, UInt16) {
        let python = try #require(TestPeers.python)
        let folder = try TemporaryDirectory(prefix: "forwarder-sink")
        let port = try ChildProcess.freePort()
        let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/Peers/aiosmtpd_recorder.py").path
        let sink = try ChildProcess(python, [script, String(port), folder.url.path, "--smtputf8"])
        do {
            try await sink.waitForTCPPort(port)
        } catch {
            sink.stop()
            throw error
        }
        return (sink, folder, port)
    }

    @Test("SmarthostRelay to aiosmtpd: smtplib's message arrives at the sink with an SRS0 sender, byte-exact after our Received field; a deferral there is 451 to smtplib")
    func smarthostToAiosmtpd() async throws {
        let (sink, folder, port) = try await startSink()
        defer { sink.stop() }
        var smarthost = SmarthostRelay.Configuration(host: "127.0.0.1", port: port)
        smarthost.security = .plain
        smarthost.client.heloName = "mx.example.net"
        let fixture = try await ForwarderFixture(hop: SmarthostRelay(configuration: smarthost))
        let delivered = try await sendWithSMTPLib(fixture, to: "team@example.org")
        #expect(delivered.contains("sent"))
        let record = try Data(contentsOf: folder.url.appendingPathComponent("00001.json"))
        let envelope = try #require(try JSONSerialization.jsonObject(with: record) as? [String: Any])
        let sender = try #require(envelope["mail_from"] as? String)
        #expect(sender.hasPrefix("SRS0=") && sender.hasSuffix("=origin.example=alice@srs.example.net"))
        #expect(envelope["rcpt_tos"] as? [String] == ["ana@home.example", "bob@home.example"])
        let bytes = Array(try Data(contentsOf: folder.url.appendingPathComponent("00001.eml")))
        #expect(Array(bytes.suffix(Self.content.count)) == Self.content)
        #expect(String(decoding: bytes.prefix(30), as: UTF8.self).hasPrefix("Received: from sender.test"))

        let fixture2 = try await ForwarderFixture(hop: SmarthostRelay(configuration: smarthost))
        let deferred = try await sendWithSMTPLib(fixture2, to: "deferred@example.org")
        #expect(deferred.contains("error: SMTPDataError 451"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("00002.json")))
    }

    @Test("SmarthostRelay to a port nobody listens on: 451 4.4.1 for every recipient")
    func smarthostUnreachable() async throws {
        let port = try ChildProcess.freePort()
        var smarthost = SmarthostRelay.Configuration(host: "127.0.0.1", port: port)
        smarthost.security = .plain
        let outcome = await SmarthostRelay(configuration: smarthost).relay(
            RelayEnvelope(sender: "", recipients: ["a@x.example", "b@x.example"], content: Array("Subject: x\r\n\r\nbody\r\n".utf8)))
        #expect(outcome.replies.map(\.code) == [451, 451])
        #expect(outcome.dataReply.enhancedStatusCode == "4.4.1")
    }
}
