import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTestSupport
import DNSVerify
import Foundation
import MailForwarder
import Synchronization
import Testing

/// DirectMXRelay against real peers on loopback: NSD serves the recipient domains' MX and
/// address records (hosts on 127.0.x.y), aiosmtpd (Tests/Peers/aiosmtpd_recorder.py) plays each MX,
/// all on one free port, and the stub resolver asks NSD. Serialized: each test starts NSD
/// and up to five Pythons, which together would load a two-core machine for seconds.
@Suite("DirectMXRelay on loopback with NSD and aiosmtpd", .serialized,
       .enabled(if: TestPeers.shouldRun(LocalDNSServer.executable != nil && TestPeers.pythonHas(["aiosmtpd"]))))
struct DirectMXLoopbackTests {
    static let sender = "SRS0=Jx0C=JZ=origin.example=alice@srs.example.net"
    static let content = Array("Received: from sender.test by mx.forwarder.test\r\nFrom: Alice <alice@origin.example>\r\nSubject: direct\r\n\r\n.leading dot\r\nNúñez\r\n".utf8)

    /// One mail exchanger played by aiosmtpd_recorder.py.
    struct MailExchanger {
        let process: ChildProcess
        let folder: TemporaryDirectory

        /// The envelopes it accepted, in order (host, mail_from, rcpt_tos, tls).
        var envelopes: [[String: Any]] {
            get throws {
                let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasSuffix(".json") }.sorted()
                return try names.map { name in
                    let data = try Data(contentsOf: folder.url.appendingPathComponent(name))
                    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                }
            }
        }

        /// The first accepted message's bytes.
        var firstMessage: [UInt8] { get throws { Array(try Data(contentsOf: folder.url.appendingPathComponent("00001.eml"))) } }

        func stop() { process.stop() }
    }

    /// Starts an MX on `host`:`port` answering as `mode` says, with STARTTLS when `tls` is given.
    static func startMX(_ host: String, port: UInt16, mode: String = "accept", tls: (chain: String, key: String)? = nil) async throws
        -> MailExchanger {
        let python = try #require(TestPeers.python)
        let folder = try TemporaryDirectory(prefix: "direct-mx")
        let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/Peers/aiosmtpd_recorder.py").path
        var arguments = [script, String(port), folder.url.path, "--host", host, "--mode", mode, "--smtputf8"]
        if let tls { arguments += ["--cert", tls.chain, "--key", tls.key] }
        let process = try ChildProcess(python, arguments)
        do {
            try await waitUntil("the MX on \(host) listens", timeout: .seconds(120)) {
                process.output.contains("listening") || !process.isRunning
            }
            guard process.isRunning else { throw PeerError("aiosmtpd_recorder.py on \(host) exited:\n\(process.output)") }
        } catch {
            process.stop()
            throw error
        }
        return MailExchanger(process: process, folder: folder)
    }

    /// NSD serving the zone `origin` with `records` (zone-file lines relative to it).
    static func startDNS(origin: String = "test", _ records: String) async throws -> LocalDNSServer {
        let zone = """
            $ORIGIN \(origin).
            $TTL 300
            @   IN SOA ns1 hostmaster 1 3600 600 86400 60
            @   IN NS  ns1
            ns1 IN A   127.0.0.1
            \(records)

            """
        return try await LocalDNSServer(zones: [(origin, zone)], ipv6: false)
    }

    /// A relay asking `dns`, connecting to every MX on `port`, loopback addresses allowed.
    static func relay(dns: LocalDNSServer, port: UInt16, _ change: (inout DirectMXRelay.Configuration) -> Void = { _ in }) throws
        -> DirectMXRelay {
        var resolverConfiguration = DNSStubResolver.Configuration(nameservers: [DNSNameserver(address: .loopbackIPv4, port: dns.port)])
        resolverConfiguration.timeout = .seconds(30)
        resolverConfiguration.overallTimeout = .seconds(120)
        var configuration = DirectMXRelay.Configuration(heloName: "mx.forwarder.test")
        configuration.port = port
        configuration.allowsPrivateAddresses = true
        configuration.client.timeouts = .init(everyStep: .seconds(120))
        change(&configuration)
        return try DirectMXRelay(configuration: configuration, resolver: try DNSStubResolver(configuration: resolverConfiguration))
    }

    static func envelope(_ recipients: [String]) -> RelayEnvelope {
        RelayEnvelope(sender: sender, recipients: recipients, content: content)
    }

    static func statuses(_ outcome: RelayOutcome) -> [String] {
        outcome.replies.map { "\($0.code) \($0.enhancedStatusCode.map { "\($0)" } ?? "")" }
    }

    @Test("Two domains, each delivered to its own MX: one transaction per domain, the envelope and the bytes exact")
    func twoDomains() async throws {
        let port = try ChildProcess.freePort()
        let dns = try await Self.startDNS("""
            alpha     IN MX 10 mx.alpha
            mx.alpha  IN A  127.0.1.2
            beta      IN MX 10 mx.beta
            mx.beta   IN A  127.0.1.3
            """)
        defer { dns.stop() }
        let alpha = try await Self.startMX("127.0.1.2", port: port)
        defer { alpha.stop() }
        let beta = try await Self.startMX("127.0.1.3", port: port)
        defer { beta.stop() }
        let outcome = try await Self.relay(dns: dns, port: port).relay(Self.envelope(["ana@alpha.test", "bob@beta.test", "cid@ALPHA.test"]))
        #expect(Self.statuses(outcome) == ["250 2.0.0", "250 2.0.0", "250 2.0.0"])
        #expect(outcome.dataReply.code == 250)
        let atAlpha = try alpha.envelopes, atBeta = try beta.envelopes
        #expect(atAlpha.count == 1 && atBeta.count == 1)
        #expect(atAlpha.first?["rcpt_tos"] as? [String] == ["ana@alpha.test", "cid@ALPHA.test"])
        #expect(atBeta.first?["rcpt_tos"] as? [String] == ["bob@beta.test"])
        #expect(atAlpha.first?["mail_from"] as? String == Self.sender)
        #expect(try alpha.firstMessage == Self.content)
        #expect(try beta.firstMessage == Self.content)
    }

    @Test("Preference order and fallback: a refused connection, a 421 greeting and a 451 to RCPT each move on to the next MX; lower-preference hosts are not used")
    func fallback() async throws {
        let port = try ChildProcess.freePort()
        // Records in an order that is not the preference order.
        let dns = try await Self.startDNS("""
            pref      IN MX 50 mx5.pref
            pref      IN MX 20 mx2.pref
            pref      IN MX 40 mx4.pref
            pref      IN MX 10 mx1.pref
            pref      IN MX 30 mx3.pref
            mx1.pref  IN A  127.0.2.1
            mx2.pref  IN A  127.0.2.2
            mx3.pref  IN A  127.0.2.3
            mx4.pref  IN A  127.0.2.4
            mx5.pref  IN A  127.0.2.5
            """)
        defer { dns.stop() }
        // mx1 (127.0.2.1): nobody listens.
        let greets421 = try await Self.startMX("127.0.2.2", port: port, mode: "greet421")
        defer { greets421.stop() }
        let defers = try await Self.startMX("127.0.2.3", port: port, mode: "rcpt451")
        defer { defers.stop() }
        let accepts = try await Self.startMX("127.0.2.4", port: port)
        defer { accepts.stop() }
        let backup = try await Self.startMX("127.0.2.5", port: port)
        defer { backup.stop() }
        let outcome = try await Self.relay(dns: dns, port: port).relay(Self.envelope(["ana@pref.test"]))
        #expect(Self.statuses(outcome) == ["250 2.0.0"])
        #expect(try accepts.envelopes.count == 1)
        #expect(try backup.envelopes.isEmpty)
        #expect(try defers.envelopes.isEmpty)
        // Each host on the way was asked before the one that took it (the order itself is
        // pinned by DirectMXRelayTests.preferenceOrder).
        #expect(greets421.process.output.contains("greeted with 421"))
        #expect(defers.process.output.contains("refused RCPT with 451"))
    }

    @Test("A 5xx from an MX is final: 550 5.1.1 for the domain's recipients, the next MX is not asked")
    func permanentRefusal() async throws {
        let port = try ChildProcess.freePort()
        let dns = try await Self.startDNS("""
            final      IN MX 10 mx1.final
            final      IN MX 20 mx2.final
            mx1.final  IN A  127.0.3.1
            mx2.final  IN A  127.0.3.2
            """)
        defer { dns.stop() }
        let refuses = try await Self.startMX("127.0.3.1", port: port, mode: "rcpt550")
        defer { refuses.stop() }
        let backup = try await Self.startMX("127.0.3.2", port: port)
        defer { backup.stop() }
        let outcome = try await Self.relay(dns: dns, port: port).relay(Self.envelope(["nobody@final.test"]))
        #expect(Self.statuses(outcome) == ["550 5.1.1"])
        #expect(outcome.dataReply.code == 550)
        #expect(refuses.process.output.contains("refused RCPT with 550"))
        #expect(try backup.envelopes.isEmpty)
    }

    @Test("A reply per recipient: one the MX refuses keeps its 550, the others are delivered, and only a deferred one goes on to the next MX")
    func perRecipient() async throws {
        let port = try ChildProcess.freePort()
        let dns = try await Self.startDNS("""
            mixed      IN MX 10 mx1.mixed
            mixed      IN MX 20 mx2.mixed
            mx1.mixed  IN A  127.0.4.1
            mx2.mixed  IN A  127.0.4.2
            """)
        defer { dns.stop() }
        let picky = try await Self.startMX("127.0.4.1", port: port, mode: "byname")
        defer { picky.stop() }
        let backup = try await Self.startMX("127.0.4.2", port: port)
        defer { backup.stop() }
        let recipients = ["ana@mixed.test", "refused-bob@mixed.test", "deferred-cid@mixed.test"]
        let outcome = try await Self.relay(dns: dns, port: port).relay(Self.envelope(recipients))
        #expect(Self.statuses(outcome) == ["250 2.0.0", "550 5.1.1", "250 2.0.0"])
        #expect(outcome.dataReply.code == 550)
        #expect(try picky.envelopes.map { $0["rcpt_tos"] as? [String] } == [["ana@mixed.test"]])
        #expect(try backup.envelopes.map { $0["rcpt_tos"] as? [String] } == [["deferred-cid@mixed.test"]])
        #expect(try backup.firstMessage == Self.content)
    }

    @Test("No MX record: the domain's own address is the MX (implicit MX); null MX gets 556 5.1.10 and NXDOMAIN 550 5.1.2 from NSD's answers")
    func implicitNullAndMissing() async throws {
        let port = try ChildProcess.freePort()
        let dns = try await Self.startDNS("""
            implicit  IN A  127.0.4.1
            nullmx    IN MX 0 .
            nullmx    IN A  127.0.4.1
            """)
        defer { dns.stop() }
        let host = try await Self.startMX("127.0.4.1", port: port)
        defer { host.stop() }
        let outcome = try await Self.relay(dns: dns, port: port).relay(
            Self.envelope(["ana@implicit.test", "bob@nullmx.test", "cid@missing.test"]))
        #expect(Self.statuses(outcome) == ["250 2.0.0", "556 5.1.10", "550 5.1.2"])
        let envelopes = try host.envelopes
        #expect(envelopes.count == 1)
        #expect(envelopes.first?["rcpt_tos"] as? [String] == ["ana@implicit.test"])
    }

    @Test("Required TLS: an MX without STARTTLS gets nothing (451 4.7.4); one with a verified certificate gets the message over TLS")
    func requiredTLS() async throws {
        let port = try ChildProcess.freePort()
        let authority = try await TestCertificates.makeAuthority()
        let leaf = try await authority.makeLeaf("mx-secure", names: ["DNS:mx.secure.test"])
        let dns = try await Self.startDNS("""
            plain       IN MX 10 mx.plain
            mx.plain    IN A  127.0.5.1
            secure      IN MX 10 mx.secure
            mx.secure   IN A  127.0.5.2
            """)
        defer { dns.stop() }
        let plain = try await Self.startMX("127.0.5.1", port: port)
        defer { plain.stop() }
        let secure = try await Self.startMX("127.0.5.2", port: port, tls: leaf)
        defer { secure.stop() }
        let relay = try Self.relay(dns: dns, port: port) {
            $0.tlsPolicy = .required
            $0.tls.trustedCertificateAuthorityFile = authority.authority
        }
        let outcome = await relay.relay(Self.envelope(["ana@plain.test", "bob@secure.test"]))
        #expect(Self.statuses(outcome) == ["451 4.7.4", "250 2.0.0"])
        #expect(outcome.dataReply.code == 451)
        #expect(try plain.envelopes.isEmpty)
        #expect(try secure.envelopes.first?["tls"] as? Bool == true)
    }

    @Test("Required TLS and a certificate that does not verify (another authority): 451 4.7.5, nothing sent")
    func requiredTLSUntrusted() async throws {
        let port = try ChildProcess.freePort()
        let authority = try await TestCertificates.makeAuthority()
        let stranger = try await TestCertificates.makeAuthority(named: "Someone Else's CA")
        let leaf = try await stranger.makeLeaf("mx-stranger", names: ["DNS:mx.stranger.test"])
        let dns = try await Self.startDNS("""
            stranger     IN MX 10 mx.stranger
            mx.stranger  IN A  127.0.6.1
            """)
        defer { dns.stop() }
        let host = try await Self.startMX("127.0.6.1", port: port, tls: leaf)
        defer { host.stop() }
        let relay = try Self.relay(dns: dns, port: port) {
            $0.tlsPolicy = .required
            $0.tls.trustedCertificateAuthorityFile = authority.authority
        }
        let outcome = await relay.relay(Self.envelope(["ana@stranger.test"]))
        #expect(Self.statuses(outcome) == ["451 4.7.5"])
        #expect(try host.envelopes.isEmpty)
    }

    @Test("Opportunistic TLS (the default): STARTTLS when offered, encrypted even when the certificate does not verify (RFC 7435), plaintext when not offered")
    func opportunisticTLS() async throws {
        let port = try ChildProcess.freePort()
        let authority = try await TestCertificates.makeAuthority()
        let stranger = try await TestCertificates.makeAuthority(named: "Someone Else's CA")
        let trusted = try await authority.makeLeaf("mx-trusted", names: ["DNS:mx.trusted.test"])
        let untrusted = try await stranger.makeLeaf("mx-untrusted", names: ["DNS:mx.untrusted.test"])
        let dns = try await Self.startDNS("""
            trusted       IN MX 10 mx.trusted
            mx.trusted    IN A  127.0.7.1
            untrusted     IN MX 10 mx.untrusted
            mx.untrusted  IN A  127.0.7.2
            plain         IN MX 10 mx.plain
            mx.plain      IN A  127.0.7.3
            """)
        defer { dns.stop() }
        let trustedMX = try await Self.startMX("127.0.7.1", port: port, tls: trusted)
        defer { trustedMX.stop() }
        let untrustedMX = try await Self.startMX("127.0.7.2", port: port, tls: untrusted)
        defer { untrustedMX.stop() }
        let plainMX = try await Self.startMX("127.0.7.3", port: port)
        defer { plainMX.stop() }
        let relay = try Self.relay(dns: dns, port: port) { $0.tls.trustedCertificateAuthorityFile = authority.authority }
        let outcome = await relay.relay(Self.envelope(["ana@trusted.test", "bob@untrusted.test", "cid@plain.test"]))
        #expect(Self.statuses(outcome) == ["250 2.0.0", "250 2.0.0", "250 2.0.0"])
        #expect(try trustedMX.envelopes.map { $0["tls"] as? Bool } == [true])
        // An authority we do not trust: encrypted all the same, no plaintext retry.
        #expect(try untrustedMX.envelopes.map { $0["tls"] as? Bool } == [true])
        #expect(try plainMX.envelopes.map { $0["tls"] as? Bool } == [false])
    }

    @Test("An MX with only an IPv6 address (::1) is delivered to")
    func ipv6() async throws {
        let port = try ChildProcess.freePort()
        let dns = try await Self.startDNS("""
            six       IN MX   10 mx.six
            mx.six    IN AAAA ::1
            """)
        defer { dns.stop() }
        let host = try await Self.startMX("::1", port: port)
        defer { host.stop() }
        let outcome = try await Self.relay(dns: dns, port: port).relay(Self.envelope(["ana@six.test"]))
        #expect(Self.statuses(outcome) == ["250 2.0.0"])
        #expect(try host.envelopes.first?["rcpt_tos"] as? [String] == ["ana@six.test"])
    }

    @Test("ForwarderServer with DirectMXRelay: an alias's targets reach their domain's MX with the SRS0 sender, and the sender gets 250 only then")
    func throughTheForwarder() async throws {
        let port = try ChildProcess.freePort()
        let dns = try await Self.startDNS(origin: "home.example", """
            @    IN MX 10 mx
            mx   IN A  127.0.9.1
            """)
        defer { dns.stop() }
        let host = try await Self.startMX("127.0.9.1", port: port)
        defer { host.stop() }
        let fixture = try await ForwarderFixture(hop: try Self.relay(dns: dns, port: port))
        let message = "From: Alice <alice@origin.example>\r\nSubject: to the team\r\n\r\nhello\r\n"
        let statuses = try await fixture.session { smtp in
            let recipients = try await smtp.begin(from: "alice@origin.example", to: ["team@example.org"])
            return recipients + [try await smtp.data(message)]
        }
        #expect(statuses == ["250 2.1.5", "250 2.0.0"])
        let envelopes = try host.envelopes
        #expect(envelopes.count == 1)
        #expect(envelopes.first?["rcpt_tos"] as? [String] == ["ana@home.example", "bob@home.example"])
        let sender = try #require(envelopes.first?["mail_from"] as? String)
        #expect(sender.hasPrefix("SRS0=") && sender.hasSuffix("=origin.example=alice@srs.example.net"))
        let bytes = try host.firstMessage
        #expect(String(decoding: bytes.prefix(10), as: UTF8.self) == "Received: ")
        #expect(Array(bytes.suffix(message.utf8.count)) == Array(message.utf8))
    }

    @Test("An MX that never greets: the delivery is cut at deliveryTimeout with 451 4.4.7 (the client's own timeouts are longer)")
    func deliveryTimeout() async throws {
        let port = try ChildProcess.freePort()
        let dns = try await Self.startDNS("""
            mute      IN MX 10 mx.mute
            mx.mute   IN A  127.0.10.1
            """)
        defer { dns.stop() }
        let host = try await Self.startMX("127.0.10.1", port: port, mode: "silent")
        defer { host.stop() }
        let relay = try Self.relay(dns: dns, port: port) { $0.deliveryTimeout = .seconds(2) }
        let outcome = await relay.relay(Self.envelope(["ana@mute.test"]))
        // Without the cut the client's greeting timeout (120 s here) would end it: 451 4.4.2.
        #expect(Self.statuses(outcome) == ["451 4.4.7"])
    }

    @Test("One deadline for the whole message: with one domain at a time, the domains still queued when it passes get 451 4.4.7 and are never started")
    func messageDeadline() async throws {
        let port = try ChildProcess.freePort()
        let dns = try await Self.startDNS("""
            one       IN MX 10 mx.one
            mx.one    IN A  127.0.12.1
            two       IN MX 10 mx.two
            mx.two    IN A  127.0.12.2
            three     IN MX 10 mx.three
            mx.three  IN A  127.0.12.3
            """)
        defer { dns.stop() }
        let hosts = [
            try await Self.startMX("127.0.12.1", port: port, mode: "silent"), try await Self.startMX("127.0.12.2", port: port, mode: "silent"),
            try await Self.startMX("127.0.12.3", port: port, mode: "silent"),
        ]
        defer { for host in hosts { host.stop() } }
        let relay = try Self.relay(dns: dns, port: port) {
            $0.deliveryTimeout = .seconds(2)
            $0.maximumConcurrentDomains = 1
        }
        let outcome = await relay.relay(Self.envelope(["ana@one.test", "bob@two.test", "cid@three.test"]))
        #expect(Self.statuses(outcome) == ["451 4.4.7", "451 4.4.7", "451 4.4.7"])
        // The first domain used the whole deadline; the others were never connected to (with
        // a deadline per domain each would have had its own 2 s, and the reply 6 s).
        #expect(!hosts[1].process.output.contains("holding a connection"), "\(hosts[1].process.output)")
        #expect(!hosts[2].process.output.contains("holding a connection"), "\(hosts[2].process.output)")
    }

    /// An MX played in Swift on `host`:`port` that greets with `greeting` and answers every
    /// command after it with `helloReply` (QUIT with 221), counting its connections.
    final class RefusingMX: Sendable {
        /// How many connections came.
        final class Counter: Sendable {
            let value = Mutex(0)
        }

        let listener: TCPListener
        private let connections: Counter
        private let serving: Task<Void, Never>

        init(_ host: String, port: UInt16, greeting: String, helloReply: String = "502 5.5.2 not here") throws {
            let listener = try TCPListener(address: try SocketAddress("\(host):\(port)"))
            self.listener = listener
            let connections = Counter()
            self.connections = connections
            serving = Task {
                try? await listener.serve { connection in
                    connections.value.withLock { $0 += 1 }
                    await Self.converse(connection, greeting: greeting, helloReply: helloReply)
                }
            }
        }

        private static func converse(_ connection: TCPConnection, greeting: String, helloReply: String) async {
            let deadline = ContinuousClock.now + .seconds(120)
            do {
                try await connection.write(Array("\(greeting)\r\n".utf8), deadline: deadline)
                var buffered: [UInt8] = []
                while true {
                    let chunk = try await connection.read(maximumCount: 4096, deadline: deadline)
                    if chunk.isEmpty { return }
                    buffered += chunk
                    while let end = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = String(decoding: buffered[..<end], as: UTF8.self).uppercased()
                        buffered.removeSubrange(...end)
                        let isQuit = line.hasPrefix("QUIT")
                        try await connection.write(Array("\(isQuit ? "221 2.0.0 bye" : helloReply)\r\n".utf8), deadline: deadline)
                        if isQuit { return }
                    }
                }
            } catch {
                return
            }
        }

        var connectionCount: Int { connections.value.withLock { $0 } }

        func stop() async {
            listener.close()
            await serving.value
        }
    }

    @Test("A 5xx greeting or a refused EHLO and HELO moves on to the next MX (Postfix's smtp_skip_5xx_greeting); when no other address answers, the recipients are deferred (451), never bounced")
    func sessionRefusalTriesNextMX() async throws {
        let port = try ChildProcess.freePort()
        let dns = try await Self.startDNS("""
            skip       IN MX 10 mx1.skip
            skip       IN MX 20 mx2.skip
            skip       IN MX 30 mx3.skip
            mx1.skip   IN A  127.0.13.1
            mx2.skip   IN A  127.0.13.2
            mx3.skip   IN A  127.0.13.3
            alone      IN MX 10 mx1.alone
            alone      IN MX 20 mx2.alone
            mx1.alone  IN A  127.0.13.4
            mx2.alone  IN A  127.0.13.5
            """)
        defer { dns.stop() }
        let greets554 = try RefusingMX("127.0.13.1", port: port, greeting: "554 5.7.1 no service for you")
        let refusesHello = try RefusingMX("127.0.13.2", port: port, greeting: "220 mx2.skip.test ESMTP", helloReply: "550 5.7.1 go away")
        let accepts = try await Self.startMX("127.0.13.3", port: port)
        defer { accepts.stop() }
        // mx1.alone refuses the session; nobody listens on mx2.alone (127.0.13.5).
        let aloneRefuses = try RefusingMX("127.0.13.4", port: port, greeting: "554 5.7.1 no service for you")
        let outcome = try await Self.relay(dns: dns, port: port).relay(Self.envelope(["ana@skip.test", "bob@alone.test"]))
        await greets554.stop()
        await refusesHello.stop()
        await aloneRefuses.stop()
        #expect(Self.statuses(outcome) == ["250 2.0.0", "451 4.7.1"])  // refused by every MX it reached: deferred, as Postfix does
        #expect(greets554.connectionCount == 1 && refusesHello.connectionCount == 1 && aloneRefuses.connectionCount == 1)
        #expect(try accepts.envelopes.map { $0["rcpt_tos"] as? [String] } == [["ana@skip.test"]])
    }

    @Test("forward-mx --direct: swaks's message to an alias reaches the target domain's MX found through NSD, with the SRS0 sender")
    func forwardMXDirect() async throws {
        let swaks = try #require(TestPeers.executable("swaks"))
        let port = try ChildProcess.freePort()
        let dns = try await Self.startDNS(origin: "example", """
            home     IN MX 10 mx.home
            mx.home  IN A  127.0.6.2
            """)
        defer { dns.stop() }
        let mx = try await Self.startMX("127.0.6.2", port: port)
        defer { mx.stop() }
        let forwarder = try await ForwardMXProcess([
            "--direct", "--nameserver", "127.0.0.1:\(dns.port)", "--direct-port", String(port), "--direct-allow-private",
        ])
        let sent = try await ChildProcess.run(swaks, [
            "--server", "127.0.0.1", "--port", String(forwarder.port), "--from", "alice@origin.example", "--to", "ana@example.org",
            "--helo", "sender.test",
        ])
        #expect(sent.status == 0 && sent.output.contains("<-  250 2.0.0"), "\(sent.output)")
        let envelopes = try mx.envelopes
        #expect(envelopes.map { $0["rcpt_tos"] as? [String] } == [["ana@home.example"]])
        let sender = try #require(envelopes.first?["mail_from"] as? String)
        #expect(sender.hasPrefix("SRS0=") && sender.hasSuffix("=origin.example=alice@srs.example.net"))
        #expect(await forwarder.stop() == 0)
        #expect(forwarder.process.output.contains("direct to each domain's MX (STARTTLS if offered)"), "\(forwarder.process.output)")
    }
}
