import CommunityMailCrypto
import CommunityMailMessage
import CommunityMailSMTP
import CommunityMailTestSupport
import DNSVerify
import Foundation
import MailAuth
import MailForwarder
import Testing

/// The forwarder with MailAuth: DMARC `p=reject` failures are refused at DATA, and what is
/// forwarded carries our Authentication-Results and an ARC set that dkimpy's `arc_verify`
/// (the code behind its `arcverify` command) accepts where the message lands.
@Suite("ForwarderServer with MailAuth")
struct ForwarderMailAuthTests {
    /// origin.example signs with `s1` and publishes p=reject; fwd.example seals with `arc`.
    struct World {
        let resolver = InMemoryDNSResolver()
        let originKey: SigningKey
        let arcKey: SigningKey
        let arcRecord: String

        init() throws {
            originKey = try SigningKey.generateRSA(bits: 2048)
            arcKey = try SigningKey.generateRSA(bits: 2048)
            arcRecord = try DKIMKeyRecord.text(publishing: arcKey.verifyingKey)
            try resolver.addZone("origin.example")
            try resolver.add("s1._domainkey.origin.example", .txt(text: try DKIMKeyRecord.text(publishing: originKey.verifyingKey)))
            try resolver.add("_dmarc.origin.example", .txt(text: "v=DMARC1; p=reject"))
            try resolver.add("origin.example", .txt(text: "v=spf1 -all"))
            try resolver.addZone("exempt.example")
            try resolver.add("_dmarc.exempt.example", .txt(text: "v=DMARC1; p=reject"))
        }

        func authenticator(exempt: [String] = []) throws -> MailAuthInboundAuthenticator {
            var configuration = MailAuthInboundAuthenticator.Configuration(authservID: "mx.fwd.example")
            configuration.rejectExemptDomains = exempt
            let sealer = try ARCSealer(key: ARCSealingKey(selector: "arc", domain: "fwd.example", signingKey: arcKey), authservID: "mx.fwd.example")
            return MailAuthInboundAuthenticator(
                authenticator: MessageAuthenticator(resolver: resolver, publicSuffixList: .snapshot), sealer: sealer,
                configuration: configuration)
        }

        func signed(_ text: String) throws -> String {
            let signer = try DKIMSigner(key: originKey, configuration: .init(domain: "origin.example", selector: "s1"))
            return String(decoding: try signer.sign(MailMessage(Array(text.utf8))).bytes, as: UTF8.self)
        }
    }

    static let message = """
        From: Alice <alice@origin.example>\r
        To: ana@example.org\r
        Subject: the minutes\r
        Date: Mon, 07 Dec 2026 08:00:00 +0000\r
        Message-ID: <minutes@origin.example>\r
        \r
        Here are the minutes.\r

        """

    private func send(_ content: String, through fixture: ForwarderFixture) async throws -> String {
        try await fixture.session { smtp in
            _ = try await smtp.begin(from: "alice@origin.example", to: ["ana@example.org"])
            return try await smtp.data(content)
        }
    }

    @Test("a p=reject domain's message with a broken DKIM signature is refused 550 5.7.1 and not relayed")
    func rejected() async throws {
        let world = try World()
        let authenticator = try world.authenticator()
        let fixture = try await ForwarderFixture { $0.authenticator = authenticator }
        let tampered = try world.signed(Self.message).replacingOccurrences(of: "Here are the minutes.", with: "Here are the minutes!")
        #expect(try await send(tampered, through: fixture) == "550 5.7.1")
        #expect(fixture.relay.envelopes.isEmpty)
        // Unsigned is refused too: nothing aligns with the From domain.
        #expect(try await send(Self.message, through: fixture) == "550 5.7.1")
        // Two authors (no policy anywhere): refused, since DMARC cannot evaluate it.
        let twoAuthors = Self.message.replacingOccurrences(
            of: "From: Alice <alice@origin.example>", with: "From: Alice <alice@nopolicy.example>, Mallory <m@evil.example>")
        #expect(try await send(twoAuthors, through: fixture) == "550 5.7.1")
        let twoFields = Self.message.replacingOccurrences(
            of: "From: Alice <alice@origin.example>", with: "From: Alice <alice@nopolicy.example>\r\nFrom: m@evil.example")
        #expect(try await send(twoFields, through: fixture) == "550 5.7.1")
    }

    @Test("a From domain on the exempt list is forwarded despite failing p=reject, marked dmarc=fail")
    func exempt() async throws {
        let world = try World()
        let authenticator = try world.authenticator(exempt: ["Exempt.Example"])
        let fixture = try await ForwarderFixture { $0.authenticator = authenticator }
        let content = Self.message.replacingOccurrences(of: "alice@origin.example", with: "alice@lists.exempt.example")
        #expect(try await send(content, through: fixture) == "250 2.0.0")
        let forwarded = String(decoding: try #require(fixture.relay.envelopes.first?.content), as: UTF8.self)
        #expect(forwarded.contains("dmarc=fail (p=reject sp=reject dis=none)"))
        // A look-alike of the exempt domain is not exempt.
        try world.resolver.addZone("exempt.example.evil")
        try world.resolver.add("_dmarc.exempt.example.evil", .txt(text: "v=DMARC1; p=reject"))
        let lookalike = Self.message.replacingOccurrences(of: "alice@origin.example", with: "alice@exempt.example.evil")
        #expect(try await send(lookalike, through: fixture) == "550 5.7.1")
    }

    @Test("a good message is forwarded with Authentication-Results and an ARC set that dkimpy's arc_verify passes",
          .enabled(if: TestPeers.shouldRun(TestPeers.pythonHas(["dkim"]))))
    func sealed() async throws {
        let world = try World()
        let authenticator = try world.authenticator()
        let fixture = try await ForwarderFixture { $0.authenticator = authenticator }
        // A field forged in our name goes (RFC 8601 section 5); another server's stays.
        let forged = "Authentication-Results: MX.fwd.example.; dmarc=pass header.from=origin.example\r\n"
        let foreign = "Authentication-Results: mx.origin.example; spf=pass smtp.mailfrom=origin.example\r\n"
        #expect(try await send(forged + foreign + (try world.signed(Self.message)), through: fixture) == "250 2.0.0")
        let content = try #require(fixture.relay.envelopes.first?.content)
        let text = String(decoding: content, as: UTF8.self)
        #expect(!text.contains("MX.fwd.example."))
        #expect(text.contains(foreign))
        let forwarded = MailMessage(content)
        let names = forwarded.header.fields.prefix(5).map(\.lowercasedName)
        #expect(names == ["received", "arc-seal", "arc-message-signature", "arc-authentication-results", "authentication-results"])
        let results = try AuthenticationResults(parsing: try #require(forwarded.header.first("Authentication-Results")))
        #expect(results.authservID == "mx.fwd.example")
        #expect(results.results.map { "\($0.method)=\($0.result)" } == ["spf=none", "dkim=pass", "dmarc=pass", "arc=none"])
        #expect(forwarded.header.first("ARC-Seal")?.contains("cv=none") == true)

        let verdict = try await Self.dkimpyARCVerify(content, keys: ["arc._domainkey.fwd.example": world.arcRecord])
        #expect(verdict == "pass")
        var broken = content
        let body = try #require(String(decoding: content, as: UTF8.self).range(of: "minutes.\r\n")).lowerBound.utf16Offset(
            in: String(decoding: content, as: UTF8.self))
        broken[body] = UInt8(ascii: "M")
        #expect(try await Self.dkimpyARCVerify(broken, keys: ["arc._domainkey.fwd.example": world.arcRecord]) == "fail")
    }

    @Test(
        "forward-mx with NSD and aiosmtpd: a signed message arrives at the sink with spf, dkim and dmarc pass and an ARC set dkimpy passes; a tampered one gets 550 5.7.1",
        .enabled(if: TestPeers.shouldRun(LocalDNSServer.executable != nil && TestPeers.pythonHas(["aiosmtpd", "dkim"]))))
    func forwardMXEndToEnd() async throws {
        let world = try World()
        let folder = try TemporaryDirectory(prefix: "forward-mx-mailauth")
        let arcKeyPath = folder.path("arc.pem")
        try world.arcKey.pemRepresentation().write(toFile: arcKeyPath, atomically: true, encoding: .utf8)
        func quoted(_ record: String) -> String {
            stride(from: 0, to: record.count, by: 200).map { offset -> String in
                let start = record.index(record.startIndex, offsetBy: offset)
                return "\"" + record[start..<(record.index(start, offsetBy: 200, limitedBy: record.endIndex) ?? record.endIndex)] + "\""
            }.joined(separator: " ")
        }
        let zone = { (origin: String, records: String) in
            (origin, "$ORIGIN \(origin).\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n@ IN NS ns1\nns1 IN A 127.0.0.1\n\(records)\n")
        }
        let dns = try await LocalDNSServer(zones: [
            zone("origin.example", """
                @ IN TXT "v=spf1 ip4:127.0.0.1 -all"
                _dmarc IN TXT "v=DMARC1; p=reject"
                s1._domainkey IN TXT \(quoted(try DKIMKeyRecord.text(publishing: world.originKey.verifyingKey)))
                """),
            zone("fwd.example", "arc._domainkey IN TXT \(quoted(world.arcRecord))"),
        ], ipv6: false)
        defer { dns.stop() }
        let sinkPort = try ChildProcess.freePort()
        let sink = try await DirectMXLoopbackTests.startMX("127.0.0.1", port: sinkPort)
        defer { sink.stop() }
        let forwarder = try await ForwardMXProcess([
            "--relay", "127.0.0.1:\(sinkPort)", "--nameserver", "127.0.0.1:\(dns.port)", "--arc-key", arcKeyPath, "--arc-selector", "arc",
            "--arc-domain", "fwd.example", "--authserv-id", "mx.fwd.example",
        ], mailChecks: true)
        let python = try #require(TestPeers.python)
        let sender = TestPeers.repositoryRoot.appendingPathComponent("Tests/Peers/smtplib_sender.py").path
        func send(_ text: String, name: String, from envelopeSender: String) async throws -> String {
            let path = folder.path(name)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return try await ChildProcess.run(python, [sender, String(forwarder.port), envelopeSender, "ana@example.org", path]).output
        }
        let signed = try world.signed(Self.message)
        #expect(try await send(signed, name: "good.eml", from: "alice@origin.example").contains("sent"))
        // A list's envelope sender: SPF cannot align with the From domain, so DMARC rests
        // on the (broken) signature alone.
        let tampered = signed.replacingOccurrences(of: "Here are the minutes.", with: "Here are the minutes?")
        let refused = try await send(tampered, name: "tampered.eml", from: "bounces@lists.example")
        #expect(refused.contains("error: SMTPDataError 550"), "\(refused)")
        #expect(await forwarder.stop() == 0)
        #expect(forwarder.process.output.contains("SPF/DKIM/DMARC checked, ARC-sealed"), "\(forwarder.process.output)")

        #expect(try sink.envelopes.count == 1)
        let arrived = try sink.firstMessage
        let results = try AuthenticationResults(parsing: try #require(MailMessage(arrived).header.first("Authentication-Results")))
        #expect(results.results.map { "\($0.method)=\($0.result)" } == ["spf=pass", "dkim=pass", "dmarc=pass", "arc=none"])
        #expect(try await Self.dkimpyARCVerify(arrived, keys: ["arc._domainkey.fwd.example": world.arcRecord]) == "pass")
    }

    /// dkimpy's `arc_verify` on `message`, keys answered from `keys`: its `cv`.
    static func dkimpyARCVerify(_ message: [UInt8], keys: [String: String]) async throws -> String {
        guard let python = TestPeers.python else { throw PeerError("the test venv has no python (COMMUNITYMAIL_VENV)") }
        let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/MailAuthTests/Peers/arc_peer.py")
        let directory = try TemporaryDirectory(prefix: "forwarder-arc")
        let batch = directory.url.appendingPathComponent("batch.json")
        let request: [String: Any] = ["keys": keys, "jobs": [["op": "verify", "message": Data(message).base64EncodedString()]]]
        try JSONSerialization.data(withJSONObject: request).write(to: batch)
        let answerFile = directory.url.appendingPathComponent("answer.json")
        let (status, output) = try await ChildProcess.run(python, [script.path, batch.path, answerFile.path])
        guard status == 0, let data = try? Data(contentsOf: answerFile),
            let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let first = (answer["results"] as? [[String: Any]])?.first, let cv = first["cv"] as? String
        else { throw PeerError("arc_peer.py failed: \(output)") }
        return cv
    }
}
