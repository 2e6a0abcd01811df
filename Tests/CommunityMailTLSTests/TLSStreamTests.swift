import CommunityMailSystem
import CommunityMailTLS
import CommunityMailTestSupport
import Foundation
import Testing

/// Our client against our server over an in-memory pipe, with certificates made by the
/// `openssl` command line for the test.
@Suite("TLSStream, client against server in memory", .enabled(if: TestPeers.shouldRun(TestPeers.executable("openssl") != nil)))
struct TLSStreamTests {
    /// Generous: a parallel test run on two cores can delay any task by seconds, and no
    /// test here waits for a deadline on purpose.
    static func deadline() -> ContinuousClock.Instant { .now + .seconds(120) }

    /// The results of a handshake between our client and our server.
    struct Handshake {
        var client: Result<TLSStream, NetworkError>
        var server: Result<TLSStream, NetworkError>
    }

    static func handshake(
        client configuration: TLSClientConfiguration, server context: TLSServerContext,
        pipe: InMemoryByteStream.Configuration = InMemoryByteStream.Configuration()
    ) async -> Handshake {
        let (clientEnd, serverEnd) = InMemoryByteStream.makePair(configuration: pipe)
        async let server = Self.capture {
            try await TLSStream.accept(over: serverEnd, context: context, deadline: deadline())
        }
        let client = await Self.capture {
            try await TLSStream.connect(over: clientEnd, configuration: configuration, deadline: deadline())
        }
        return Handshake(client: client, server: await server)
    }

    /// What `body` returned or threw.
    static func capture<Value>(_ body: () async throws -> Value) async -> Result<Value, NetworkError> {
        do {
            return .success(try await body())
        } catch let error as NetworkError {
            return .failure(error)
        } catch {
            Issue.record("not a NetworkError: \(error)")
            return .failure(.tlsFailure("\(error)"))
        }
    }

    static func configuration(_ name: String, trusting certificates: TestCertificates) -> TLSClientConfiguration {
        var configuration = TLSClientConfiguration(serverName: name)
        configuration.trustedCertificateAuthorityFile = certificates.authority
        return configuration
    }

    @Test("A verified handshake for localhost carries data both ways and ends with close_notify")
    func roundTrip() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        let result = await Self.handshake(client: Self.configuration("localhost", trusting: certificates), server: context)
        let client = try result.client.get(), server = try result.server.get()
        #expect(client.protocolVersion == .tls13)
        #expect(server.requestedServerName == "localhost")

        try await client.write(Array("EHLO client.example\r\n".utf8), deadline: Self.deadline())
        #expect(try await server.read(maximumCount: 100, deadline: Self.deadline()) == Array("EHLO client.example\r\n".utf8))
        try await server.write(Array("250 ok\r\n".utf8), deadline: Self.deadline())
        #expect(try await client.read(maximumCount: 100, deadline: Self.deadline()) == Array("250 ok\r\n".utf8))

        await client.close()
        // close_notify is the clean end of the stream, for as many reads as come.
        #expect(try await server.read(maximumCount: 100, deadline: Self.deadline()) == [])
        #expect(try await server.read(maximumCount: 100, deadline: Self.deadline()) == [])
        await server.close()
        await #expect(throws: NetworkError.closed("")) {
            _ = try await client.read(maximumCount: 1, deadline: Self.deadline())
        }
        await #expect(throws: NetworkError.closed("")) { try await client.write([1], deadline: Self.deadline()) }
    }

    @Test("An IP address is checked against the certificate's IP addresses")
    func ipAddress() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        let good = await Self.handshake(client: Self.configuration("127.0.0.1", trusting: certificates), server: context)
        #expect(throws: Never.self) { try good.client.get() }
        // No SNI for an address (RFC 6066 section 3).
        #expect(try good.server.get().requestedServerName == nil)
        let bad = await Self.handshake(client: Self.configuration("127.0.0.2", trusting: certificates), server: context)
        #expect(throws: NetworkError.certificateRejected("")) { try bad.client.get() }
    }

    @Test("A certificate for another name is rejected, partial wildcards name nothing")
    func wrongHostName() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        let result = await Self.handshake(client: Self.configuration("mail.example.org", trusting: certificates), server: context)
        #expect(throws: NetworkError.certificateRejected("")) { try result.client.get() }
        // The client told the server why (an alert), so the server fails too.
        #expect(throws: NetworkError.tlsHandshake("")) { try result.server.get() }
        if case .failure(let error) = result.client {
            #expect(error.message.contains("hostname mismatch"), "\(error.message)")
        }

        let wildcard = try await certificates.makeLeaf("wildcard", names: ["DNS:*.example.org"])
        let wildcardContext = try await TLSServerContext(certificateChainFile: wildcard.chain, privateKeyFile: wildcard.key)
        let whole = await Self.handshake(client: Self.configuration("mx.example.org", trusting: certificates), server: wildcardContext)
        #expect(throws: Never.self) { try whole.client.get() }
        let deeper = await Self.handshake(client: Self.configuration("a.mx.example.org", trusting: certificates), server: wildcardContext)
        #expect(throws: NetworkError.certificateRejected("")) { try deeper.client.get() }

        let partial = try await certificates.makeLeaf("partial", names: ["DNS:m*.example.org"])
        let partialContext = try await TLSServerContext(certificateChainFile: partial.chain, privateKeyFile: partial.key)
        let refused = await Self.handshake(client: Self.configuration("mx.example.org", trusting: certificates), server: partialContext)
        #expect(throws: NetworkError.certificateRejected("")) { try refused.client.get() }
    }

    @Test("A chain from an authority the client does not trust is rejected; so is the system store for a private CA")
    func untrustedAuthority() async throws {
        let trusted = try await TestCertificates.makeAuthority(named: "Trusted CA")
        let stranger = try await TestCertificates.makeAuthority(named: "Stranger CA")
        let leaf = try await stranger.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        let result = await Self.handshake(client: Self.configuration("localhost", trusting: trusted), server: context)
        #expect(throws: NetworkError.certificateRejected("")) { try result.client.get() }
        // The system's store does not know the test authority either.
        let system = await Self.handshake(client: TLSClientConfiguration(serverName: "localhost"), server: context)
        #expect(throws: NetworkError.certificateRejected("")) { try system.client.get() }
    }

    @Test("Encrypt only (verifiesCertificate = false): an untrusted certificate for another name is accepted and the session carries data; the default still rejects it")
    func encryptOnly() async throws {
        let stranger = try await TestCertificates.makeAuthority(named: "Stranger CA")
        let leaf = try await stranger.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        var configuration = TLSClientConfiguration(serverName: "mx.elsewhere.example")
        configuration.verifiesCertificate = false
        let result = await Self.handshake(client: configuration, server: context)
        let client = try result.client.get(), server = try result.server.get()
        // SNI is still sent, so a server with several certificates can pick one.
        #expect(server.requestedServerName == "mx.elsewhere.example")
        try await client.write(Array("EHLO client.example\r\n".utf8), deadline: Self.deadline())
        #expect(try await server.read(maximumCount: 100, deadline: Self.deadline()) == Array("EHLO client.example\r\n".utf8))
        await client.close()
        await server.close()
        // An IP address literal: no SNI, no check either.
        configuration.serverName = "192.0.2.7"
        let byAddress = await Self.handshake(client: configuration, server: context)
        #expect(throws: Never.self) { try byAddress.client.get() }
        #expect(try byAddress.server.get().requestedServerName == nil)
        // The same certificate with verification on (the default) fails.
        let verified = await Self.handshake(client: TLSClientConfiguration(serverName: "mx.elsewhere.example"), server: context)
        #expect(throws: NetworkError.certificateRejected("")) { try verified.client.get() }
        // Encrypt only still needs TLS: a plaintext peer fails the handshake, typed.
        let (clientEnd, serverEnd) = InMemoryByteStream.makePair()
        try await serverEnd.write(Array("220 plaintext only\r\n".utf8), deadline: Self.deadline())
        configuration.serverName = "mx.elsewhere.example"
        await #expect(throws: NetworkError.tlsHandshake("")) {
            _ = try await TLSStream.connect(over: clientEnd, configuration: configuration, deadline: Self.deadline())
        }
        await serverEnd.close()
    }

    @Test("A CA file replaced between connections takes effect at the next one")
    func replacedAuthorityFile() async throws {
        let trusted = try await TestCertificates.makeAuthority(named: "Trusted CA")
        let stranger = try await TestCertificates.makeAuthority(named: "Stranger CA")
        let leaf = try await trusted.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        let file = trusted.folder.path("trust.pem")
        var configuration = TLSClientConfiguration(serverName: "localhost")
        configuration.trustedCertificateAuthorityFile = file
        try FileManager.default.copyItem(atPath: stranger.authority, toPath: file)
        let before = await Self.handshake(client: configuration, server: context)
        #expect(throws: NetworkError.certificateRejected("")) { try before.client.get() }
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.copyItem(atPath: trusted.authority, toPath: file)
        let after = await Self.handshake(client: configuration, server: context)
        #expect(throws: Never.self) { try after.client.get() }
    }

    @Test("An empty server name is refused before any byte is sent")
    func emptyServerName() async throws {
        let (clientEnd, serverEnd) = InMemoryByteStream.makePair()
        await #expect(throws: NetworkError.tlsHandshake("")) {
            _ = try await TLSStream.connect(over: clientEnd, configuration: TLSClientConfiguration(serverName: ""), deadline: Self.deadline())
        }
        // The stream was closed without a byte of TLS.
        #expect(try await serverEnd.read(maximumCount: 10, deadline: Self.deadline()) == [])
    }

    @Test("A client that requires TLS 1.3 gets it; the server's minimum of 1.3 holds too")
    func minimumVersion() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        var serverConfiguration = TLSServerContext.Configuration()
        serverConfiguration.minimumVersion = .tls13
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key, configuration: serverConfiguration)
        var configuration = Self.configuration("localhost", trusting: certificates)
        configuration.minimumVersion = .tls13
        let result = await Self.handshake(client: configuration, server: context)
        #expect(try result.client.get().protocolVersion == .tls13)
        #expect(try result.server.get().protocolVersion == .tls13)
    }

    @Test("SNI picks the certificate registered for the name; unknown names get the default")
    func serverNameIndication() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let local = try await certificates.makeLeaf("localhost")
        let mail = try await certificates.makeLeaf("mail", names: ["DNS:mail.example.org"])
        let mailContext = try await TLSServerContext(certificateChainFile: mail.chain, privateKeyFile: mail.key)
        let context = try await TLSServerContext(
            certificateChainFile: local.chain, privateKeyFile: local.key, contextsByServerName: ["Mail.Example.ORG": mailContext])

        let byName = await Self.handshake(client: Self.configuration("mail.example.org", trusting: certificates), server: context)
        #expect(throws: Never.self) { try byName.client.get() }
        #expect(try byName.server.get().requestedServerName == "mail.example.org")
        let byDefault = await Self.handshake(client: Self.configuration("localhost", trusting: certificates), server: context)
        #expect(throws: Never.self) { try byDefault.client.get() }
        // Without the registration, the same client meets the localhost certificate.
        let plain = try await TLSServerContext(certificateChainFile: local.chain, privateKeyFile: local.key)
        let unregistered = await Self.handshake(client: Self.configuration("mail.example.org", trusting: certificates), server: plain)
        #expect(throws: NetworkError.certificateRejected("")) { try unregistered.client.get() }
    }

    @Test("The end of the underlying stream without close_notify is an error, not the end of the data")
    func truncation() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        let (clientEnd, serverEnd) = InMemoryByteStream.makePair()
        async let accepted = TLSStream.accept(over: serverEnd, context: context, deadline: Self.deadline())
        let client = try await TLSStream.connect(
            over: clientEnd, configuration: Self.configuration("localhost", trusting: certificates), deadline: Self.deadline())
        let server = try await accepted
        try await server.write(Array("partial da".utf8), deadline: Self.deadline())
        // An attacker (or a crash) cuts the connection below TLS.
        await serverEnd.close()
        #expect(try await client.read(maximumCount: 100, deadline: Self.deadline()) == Array("partial da".utf8))
        await #expect(throws: NetworkError.tlsFailure("")) {
            _ = try await client.read(maximumCount: 100, deadline: Self.deadline())
        }
        // And it stays an error.
        await #expect(throws: NetworkError.tlsFailure("")) {
            _ = try await client.read(maximumCount: 100, deadline: Self.deadline())
        }
        await client.close()
    }

    @Test("A forged record is a typed failure on read, and the reader's alert reaches the peer")
    func forgedRecord() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        let (clientEnd, serverEnd) = InMemoryByteStream.makePair()
        async let accepted = TLSStream.accept(over: serverEnd, context: context, deadline: Self.deadline())
        let client = try await TLSStream.connect(
            over: clientEnd, configuration: Self.configuration("localhost", trusting: certificates), deadline: Self.deadline())
        let server = try await accepted
        // An attacker on the path injects an application-data record it cannot have sealed.
        let forged: [UInt8] = [0x17, 0x03, 0x03, 0x00, 0x30] + [UInt8](repeating: 0xA5, count: 0x30)
        try await serverEnd.write(forged, deadline: Self.deadline())
        await #expect(throws: NetworkError.tlsFailure("")) {
            _ = try await client.read(maximumCount: 100, deadline: Self.deadline())
        }
        // The client's read sent a fatal alert, which ends the server's session too.
        do {
            let bytes = try await server.read(maximumCount: 100, deadline: Self.deadline())
            Issue.record("the server read \(bytes.count) bytes instead of the alert")
        } catch {
            #expect(error == .tlsFailure(""))
            #expect(error.message.contains("alert"), "\(error.message)")
        }
        await client.close()
        await server.close()
    }

    @Test("Several megabytes go both ways at once through a small pipe, intact and in order")
    func largeTransfers() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        var pipe = InMemoryByteStream.Configuration()
        pipe.capacity = 8_192  // far below a record: every write waits for the reader
        let result = await Self.handshake(client: Self.configuration("localhost", trusting: certificates), server: context, pipe: pipe)
        let client = try result.client.get(), server = try result.server.get()
        var generator = SplitMix64(seed: 14)
        let upload = generator.bytes(3 * 1_048_576 + 17)
        let download = generator.bytes(4 * 1_048_576 + 5)

        async let uploaded: Void = client.write(upload, deadline: Self.deadline())
        async let downloaded: Void = server.write(download, deadline: Self.deadline())
        async let serverReceived = Self.readAll(server, count: upload.count)
        async let clientReceived = Self.readAll(client, count: download.count)
        try await uploaded
        try await downloaded
        #expect(try await serverReceived == upload)
        #expect(try await clientReceived == download)
        await client.close()
        await server.close()
    }

    static func readAll(_ stream: TLSStream, count: Int) async throws -> [UInt8] {
        var received: [UInt8] = []
        while received.count < count {
            let chunk = try await stream.read(maximumCount: 65_536, deadline: deadline())
            guard !chunk.isEmpty else { break }
            received += chunk
        }
        return received
    }

    @Test("A peer that speaks plaintext instead of TLS fails the handshake with a typed error")
    func plaintextPeer() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        let (clientEnd, serverEnd) = InMemoryByteStream.makePair()
        async let accepted = Self.capture {
            try await TLSStream.accept(over: serverEnd, context: context, deadline: Self.deadline())
        }
        try await clientEnd.write(Array("EHLO mail.example.org\r\nMAIL FROM:<someone@example.org>\r\n".utf8), deadline: Self.deadline())
        let server = await accepted
        #expect(throws: NetworkError.tlsHandshake("")) { try server.get() }
        if case .failure(let error) = server {
            // OpenSSL's reason, never the bytes that came.
            #expect(!error.message.contains("someone"), "\(error.message)")
            #expect(!error.message.contains("EHLO"), "\(error.message)")
        }

        // And a client meeting a plaintext server (an SMTP greeting where a ServerHello belongs).
        let (otherClient, otherServer) = InMemoryByteStream.makePair()
        try await otherServer.write(Array("220 mail.example.org ESMTP ready\r\n".utf8), deadline: Self.deadline())
        await #expect(throws: NetworkError.tlsHandshake("")) {
            _ = try await TLSStream.connect(
                over: otherClient, configuration: Self.configuration("localhost", trusting: certificates), deadline: Self.deadline())
        }
    }

    @Test("Random bytes where a ClientHello or a ServerHello belongs are typed handshake errors, never a crash")
    func hostileHandshakeBytes() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        var generator = SplitMix64(seed: 1_403)
        for round in 0..<40 {
            // Half the inputs start like a handshake record, so OpenSSL parses further in.
            var garbage = generator.bytes(1 + Int(generator.next() % 600))
            if round.isMultiple(of: 2) { garbage = [0x16, 0x03, 0x01, UInt8(garbage.count >> 8), UInt8(garbage.count & 0xFF)] + garbage }
            let (clientEnd, serverEnd) = InMemoryByteStream.makePair()
            async let accepted = Self.capture {
                try await TLSStream.accept(over: serverEnd, context: context, deadline: Self.deadline())
            }
            try await clientEnd.write(garbage, deadline: Self.deadline())
            await clientEnd.close()
            let server = await accepted
            #expect(throws: NetworkError.tlsHandshake("")) { try server.get() }

            let (otherClient, otherServer) = InMemoryByteStream.makePair()
            async let connected = Self.capture {
                try await TLSStream.connect(
                    over: otherClient, configuration: Self.configuration("localhost", trusting: certificates), deadline: Self.deadline())
            }
            _ = try await otherServer.read(maximumCount: 65_536, deadline: Self.deadline())
            try await otherServer.write(garbage, deadline: Self.deadline())
            await otherServer.close()
            let client = await connected
            #expect(throws: NetworkError.tlsHandshake("")) { try client.get() }
        }
    }

    @Test("A peer that disappears mid-handshake is a handshake failure")
    func closedDuringHandshake() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let (clientEnd, serverEnd) = InMemoryByteStream.makePair()
        async let client = Self.capture {
            try await TLSStream.connect(
                over: clientEnd, configuration: Self.configuration("localhost", trusting: certificates), deadline: Self.deadline())
        }
        // The ClientHello arrives; the "server" hangs up.
        #expect(try await !serverEnd.read(maximumCount: 65_536, deadline: Self.deadline()).isEmpty)
        await serverEnd.close()
        let outcome = await client
        #expect(throws: NetworkError.tlsHandshake("")) { try outcome.get() }
    }

    @Test("A server that hangs up after its hello (a restart, overload) is connectionReset, transient")
    func serverGoneAfterItsHello() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let context = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
        // client <-> (clientEnd | relayToClient) relay (relayToServer | serverEnd) <-> server
        let (clientEnd, relayToClient) = InMemoryByteStream.makePair()
        let (relayToServer, serverEnd) = InMemoryByteStream.makePair()
        let server = Task { await Self.capture { try await TLSStream.accept(over: serverEnd, context: context, deadline: Self.deadline()) } }
        async let client = Self.capture {
            try await TLSStream.connect(
                over: clientEnd, configuration: Self.configuration("localhost", trusting: certificates), deadline: Self.deadline())
        }
        let hello = try await relayToClient.read(maximumCount: 65_536, deadline: Self.deadline())
        try await relayToServer.write(hello, deadline: Self.deadline())
        // The server's whole first flight (ServerHello to Finished) but its last bytes,
        // then the connection ends: the client got past the hello, not to the end.
        let flight = try await relayToServer.read(maximumCount: 65_536, deadline: Self.deadline())
        try #require(flight.count > 200)
        try await relayToClient.write(Array(flight.dropLast(20)), deadline: Self.deadline())
        await relayToClient.close()
        let outcome = await client
        let error = #expect(throws: NetworkError.connectionReset("")) { try outcome.get() }
        #expect(error?.isTransient == true)
        await relayToServer.close()
        _ = await server.value
    }

    @Test("A handshake that does not finish by its deadline times out")
    func handshakeDeadline() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let (clientEnd, serverEnd) = InMemoryByteStream.makePair()
        // The server end never answers; the deadline is already near.
        await #expect(throws: NetworkError.timedOut("")) {
            _ = try await TLSStream.connect(
                over: clientEnd, configuration: Self.configuration("localhost", trusting: certificates),
                deadline: .now + .milliseconds(50))
        }
        await serverEnd.close()
    }

    @Test("Unusable certificate or key files are typed errors that name the file")
    func loadFailures() async throws {
        let certificates = try await TestCertificates.makeAuthority()
        let leaf = try await certificates.makeLeaf("localhost")
        let other = try await certificates.makeLeaf("other")
        await #expect(throws: NetworkError.tlsFailure("")) {
            _ = try await TLSServerContext(certificateChainFile: certificates.folder.path("missing.pem"), privateKeyFile: leaf.key)
        }
        await #expect(throws: NetworkError.tlsFailure("")) {
            _ = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: other.key)
        }
        await #expect(throws: NetworkError.tlsFailure("")) {
            _ = try await TLSServerContext(certificateChainFile: leaf.key, privateKeyFile: leaf.key)
        }
        do {
            _ = try await TLSServerContext(certificateChainFile: leaf.chain, privateKeyFile: other.key)
        } catch {
            let key = try String(contentsOfFile: other.key, encoding: .utf8)
            let body = key.split(separator: "\n").dropFirst().first.map(String.init) ?? "-"
            #expect(!error.message.contains(body))
        }
        let (clientEnd, _) = InMemoryByteStream.makePair()
        var configuration = TLSClientConfiguration(serverName: "localhost")
        configuration.trustedCertificateAuthorityFile = certificates.folder.path("missing.pem")
        await #expect(throws: NetworkError.tlsFailure("")) {
            _ = try await TLSStream.connect(over: clientEnd, configuration: configuration, deadline: Self.deadline())
        }
    }
}
