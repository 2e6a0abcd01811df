import CommunityMailSystem
import CommunityMailTestSupport
import DNSVerify
import Foundation
import Testing

/// The stub resolver against NSD (Debian's `nsd`), an authoritative server nobody here
/// wrote, serving hand-written zones on a loopback port.
@Suite("Interop with NSD on loopback", .enabled(if: TestPeers.shouldRun(LocalDNSServer.executable != nil)))
struct NSDInteropTests {
    static let longValue = String(repeating: "a", count: 255) + String(repeating: "b", count: 100)

    static var zones: [(origin: String, text: String)] {
        var example = """
            $ORIGIN example.test.
            $TTL 300
            @        IN SOA ns1 hostmaster 2026112901 3600 600 86400 60
            @        IN NS  ns1
            ns1      IN A   127.0.0.1
            @        IN MX  10 mx1.forwardemail.net.
            @        IN MX  20 mx2.forwardemail.net.
            @        IN TXT "v=spf1 a mx include:spf.forwardemail.net -all"
            @        IN TXT "forward-email-site-verification=" "abc123"
            long     IN TXT "\(String(repeating: "a", count: 255))" "\(String(repeating: "b", count: 100))"
            _dmarc   IN TXT "v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@example.test"
            mail._domainkey IN TXT "v=DKIM1; k=rsa; " "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC1TESTKEY"
            alias1   IN CNAME alias2
            alias2   IN CNAME target
            target   IN A   192.0.2.10
            outside  IN CNAME www.other.test.
            nodata   IN A   192.0.2.11
            fe-bounces IN CNAME forwardemail.net.
            xn--bcher-kva IN TXT "idn works"
            xn--bcher-kva IN MX 5 mx1.forwardemail.net.

            """
        for index in 0..<40 {
            example += "big IN TXT \"record \(index) \(String(repeating: "x", count: 100))\"\n"
        }
        let other = """
            $ORIGIN other.test.
            $TTL 120
            @   IN SOA ns1 hostmaster 1 3600 600 86400 30
            @   IN NS  ns1.example.test.
            www IN A   192.0.2.20

            """
        let munich = """
            $ORIGIN xn--mnchen-3ya.test.
            $TTL 300
            @   IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 60
            @   IN NS  ns1.example.test.
            @   IN MX  10 mx1.forwardemail.net.
            @   IN TXT "forward-email-site-verification=munich"

            """
        return [("example.test", example), ("other.test", other), ("xn--mnchen-3ya.test", munich)]
    }

    static func withServer(_ body: (LocalDNSServer, DNSStubResolver) async throws -> Void) async throws {
        let server = try await LocalDNSServer(zones: zones)
        defer { server.stop() }
        var configuration = DNSStubResolver.Configuration(nameservers: [DNSNameserver(address: .loopbackIPv4, port: server.port)])
        configuration.timeout = .seconds(30)
        try await body(server, try DNSStubResolver(configuration: configuration))
    }

    @Test("NSD: TXT longer than 255 bytes comes as several strings of one record")
    func longTXT() async throws {
        try await Self.withServer { _, resolver in
            let result = try await resolver.resolve("long.example.test", .txt)
            #expect(result.status == .answer)
            #expect(result.records.count == 1)
            guard case .txt(let strings)? = result.records.first?.data else {
                Issue.record("no TXT: \(result)")
                return
            }
            #expect(strings.map(\.count) == [255, 100])
            #expect(result.texts == [Self.longValue])
            // Two records at the apex stay two, never joined together.
            let apex = try await resolver.resolve("example.test", .txt)
            #expect(Set(apex.texts) == ["v=spf1 a mx include:spf.forwardemail.net -all", "forward-email-site-verification=abc123"])
        }
    }

    @Test("NSD: an answer too big for UDP is truncated, and the resolver gets it over TCP")
    func tcpFallback() async throws {
        try await Self.withServer { server, resolver in
            let question = DNSQuestion(name: try DNSName("big.example.test"), type: .txt)
            let overUDP = try await resolver.exchange(question, with: DNSNameserver(address: .loopbackIPv4, port: server.port), over: .udp)
            #expect(overUDP.header.isTruncated)
            #expect(overUDP.answers.count < 40)
            let result = await resolver.resolve(question)
            #expect(result.status == .answer)
            #expect(result.records.count == 40)
        }
    }

    @Test("NSD: a CNAME chain inside the zone, and one that leaves it")
    func cnameChains() async throws {
        try await Self.withServer { _, resolver in
            let chain = try await resolver.resolve("alias1.example.test", .a)
            #expect(chain.status == .answer)
            #expect(chain.records.map(\.data) == [.a(Samples.address("192.0.2.10"))])
            #expect(chain.aliases.map(\.name.text) == ["alias1.example.test", "alias2.example.test"])
            #expect(chain.canonicalName == Samples.name("target.example.test"))
            let across = try await resolver.resolve("outside.example.test", .a)
            #expect(across.status == .answer)
            #expect(across.records.map(\.data) == [.a(Samples.address("192.0.2.20"))])
            #expect(across.aliases.count == 1)
            let itself = try await resolver.resolve("alias1.example.test", .cname)
            #expect(itself.records.map(\.data) == [.cname(Samples.name("alias2.example.test"))])
        }
    }

    @Test("NSD: NXDOMAIN and NODATA are distinct, with the SOA's negative TTL")
    func negativeAnswers() async throws {
        try await Self.withServer { _, resolver in
            let missing = try await resolver.resolve("missing.example.test", .txt)
            #expect(missing.status == .nonExistentDomain)
            #expect(missing.negativeTTL == 60)
            #expect(!missing.isTransient)
            let nodata = try await resolver.resolve("nodata.example.test", .txt)
            #expect(nodata.status == .noData)
            #expect(nodata.negativeTTL == 60)
            let otherZone = try await resolver.resolve("nothing.other.test", .a)
            #expect(otherZone.negativeTTL == 30)
            let notServed = try await resolver.resolve("example.invalid", .a)
            #expect(notServed.status == .refused)
            #expect(notServed.isTransient)
        }
    }

    @Test("NSD: MX and SPF sets")
    func mxAndSPF() async throws {
        try await Self.withServer { _, resolver in
            let mx = try await resolver.resolve("example.test", .mx)
            #expect(mx.status == .answer)
            let exchanges = mx.records.compactMap { record -> String? in
                if case .mx(_, let exchange) = record.data { return exchange.text }
                return nil
            }
            #expect(Set(exchanges) == ["mx1.forwardemail.net", "mx2.forwardemail.net"])
            #expect(mx.records.allSatisfy { $0.ttl == 300 })
            let spf = try await resolver.resolve("example.test", .txt)
            #expect(spf.texts.filter { $0.hasPrefix("v=spf1") }.count == 1)
        }
    }

    @Test("NSD: an internationalised name is asked in A-label form")
    func internationalisedName() async throws {
        try await Self.withServer { _, resolver in
            let result = try await resolver.resolve("Bücher.example.test", .txt)
            #expect(result.status == .answer)
            #expect(result.question.name.text == "xn--bcher-kva.example.test")
            #expect(result.texts == ["idn works"])
            let zone = try await resolver.resolve("münchen.test", .mx)
            #expect(zone.status == .answer)
        }
    }

    @Test("NSD: the same answers over IPv6 (::1) and over TCP")
    func ipv6AndTCP() async throws {
        try await Self.withServer { server, _ in
            var configuration = DNSStubResolver.Configuration(nameservers: [DNSNameserver(address: .loopbackIPv6, port: server.port)])
            configuration.timeout = .seconds(30)
            let resolver = try DNSStubResolver(configuration: configuration)
            let result = try await resolver.resolve("_dmarc.example.test", .txt)
            #expect(result.texts == ["v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@example.test"])
            let question = DNSQuestion(name: try DNSName("example.test"), type: .mx)
            let overTCP = try await resolver.exchange(question, with: DNSNameserver(address: .loopbackIPv6, port: server.port), over: .tcp)
            #expect(overTCP.answers.count == 2 && overTCP.header.isAuthoritative)
        }
    }

    @Test("NSD: a cache answers again after the server is gone, within the TTL")
    func cacheOverRealServer() async throws {
        let server = try await LocalDNSServer(zones: Self.zones)
        let cache = DNSCache()
        // Filled patiently (a loaded machine may be slow), read back impatiently.
        var patient = DNSStubResolver.Configuration(nameservers: [DNSNameserver(address: .loopbackIPv4, port: server.port)])
        patient.timeout = .seconds(30)
        var impatient = patient
        impatient.timeout = .milliseconds(300)
        impatient.attempts = 1
        let filling = try DNSStubResolver(configuration: patient, cache: cache)
        let resolver = try DNSStubResolver(configuration: impatient, cache: cache)
        let first = try await filling.resolve("alias1.example.test", .a)
        let absent = try await filling.resolve("missing.example.test", .a)
        #expect(first.status == .answer && absent.status == .nonExistentDomain)
        server.stop()
        let again = try await resolver.resolve("alias1.example.test", .a)
        #expect(again.status == .answer && again.records.map(\.data) == first.records.map(\.data))
        #expect(again.aliases.count == 2)
        #expect(try await resolver.resolve("missing.example.test", .a).status == absent.status)
        #expect(try await resolver.resolve("target.example.test", .mx).status == .timeout)
    }

    @Test("NSD: the checks pass for an internationalised domain")
    func verifyInternationalisedDomain() async throws {
        try await Self.withServer { _, resolver in
            let report = try await DomainVerifier(resolver: resolver).verify(domain: "münchen.test", token: "munich")
            #expect(report.domain == "xn--mnchen-3ya.test")
            #expect(report.checks.first?.status == .pass)
            // Only mx1 is published: the MX check names mx2 as missing.
            #expect(report.checks[1].status == .fail && report.checks[1].message.contains("mx2.forwardemail.net"))
            #expect(report.status == .fail)
        }
    }
}
