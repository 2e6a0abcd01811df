import CommunityMailTestSupport
import DNSVerify
import Testing

/// Which resolver a shared test runs against.
enum ResolverKind: String, CustomTestStringConvertible, Sendable {
    /// ``InMemoryDNSResolver`` holding the zones.
    case inMemory
    /// ``DNSStubResolver`` asking NSD, which serves the same zones written as zone files.
    case nsd

    var testDescription: String { rawValue }

    /// Both when NSD is there (or required), else the fake alone.
    static var all: [ResolverKind] { TestPeers.shouldRun(LocalDNSServer.executable != nil) ? [.inMemory, .nsd] : [.inMemory] }
}

/// A resolver over the zones of `fake`: the fake itself, or a stub resolver asking NSD
/// serving the fake's records written as zone files.
final class ResolverUnderTest: Sendable {
    let resolver: any DNSResolver
    private let server: LocalDNSServer?

    init(_ kind: ResolverKind, zones fake: InMemoryDNSResolver) async throws {
        switch kind {
        case .inMemory:
            resolver = fake
            server = nil
        case .nsd:
            let records = fake.records
            let zones = fake.zones.map { origin -> (origin: String, text: String) in
                // Each record goes to the most specific zone that holds it.
                let lines = records.filter { record in
                    record.name.isSubdomain(of: origin)
                        && !fake.zones.contains { $0 != origin && $0.isSubdomain(of: origin) && record.name.isSubdomain(of: $0) }
                }.map(\.description)
                return (origin.text, lines.joined(separator: "\n") + "\n")
            }
            let server = try await LocalDNSServer(zones: zones)
            var configuration = DNSStubResolver.Configuration(nameservers: [DNSNameserver(address: .loopbackIPv4, port: server.port)])
            configuration.timeout = .seconds(2)
            resolver = try DNSStubResolver(configuration: configuration)
            self.server = server
        }
    }

    func stop() { server?.stop() }
}

/// The same expectations over the in-memory fake and the real stub resolver asking NSD.
@Suite("DNSResolver contract: in-memory fake and stub resolver with NSD")
struct ResolverContractTests {
    static func zones() throws -> InMemoryDNSResolver {
        let fake = InMemoryDNSResolver()
        try fake.addZone("example.test", negativeTTL: 45)
        try fake.addZone("other.test", negativeTTL: 20)
        try fake.add("ns1.example.test", .a(Samples.address("127.0.0.1")))
        try fake.add("example.test", ttl: 3600, .ns(Samples.name("ns1.example.test")))
        try fake.add("other.test", ttl: 3600, .ns(Samples.name("ns1.example.test")))
        try fake.add("www.example.test", ttl: 120, .a(Samples.address("192.0.2.1")))
        try fake.add("www.example.test", ttl: 120, .aaaa(Samples.address("2001:db8::1")))
        try fake.add("example.test", .txt([Array("v=spf1 include:spf.forwardemail.net".utf8), Array(" -all".utf8)]))
        try fake.add("example.test", .txt(text: "forward-email-site-verification=tok"))
        try fake.add("example.test", .mx(preference: 10, exchange: Samples.name("mx1.forwardemail.net")))
        try fake.add("example.test", .mx(preference: 20, exchange: Samples.name("mx2.forwardemail.net")))
        try fake.add("_dmarc.example.test", .txt(text: "v=DMARC1; p=reject"))
        try fake.add("sel._domainkey.example.test", .txt(text: "v=DKIM1; k=rsa; p=" + String(repeating: "K", count: 300)))
        try fake.add("a.example.test", .cname(Samples.name("b.example.test")))
        try fake.add("b.example.test", .cname(Samples.name("www.example.test")))
        try fake.add("away.example.test", .cname(Samples.name("host.other.test")))
        try fake.add("host.other.test", .a(Samples.address("192.0.2.30")))
        try fake.add("dangling.example.test", .cname(Samples.name("gone.example.test")))
        try fake.add("loop1.example.test", .cname(Samples.name("loop2.example.test")))
        try fake.add("loop2.example.test", .cname(Samples.name("loop1.example.test")))
        try fake.add("bounces.example.test", .cname(Samples.name("forwardemail.net")))
        try fake.add("bücher.example.test", .txt(text: "idn"))
        return fake
    }

    @Test("answers with TTLs, and TXT strings kept per record", arguments: ResolverKind.all)
    func answers(_ kind: ResolverKind) async throws {
        let subject = try await ResolverUnderTest(kind, zones: try Self.zones())
        defer { subject.stop() }
        let a = try await subject.resolver.resolve("www.example.test", .a)
        #expect(a.status == .answer)
        #expect(a.records.map(\.ttl) == [120])
        let aaaa = try await subject.resolver.resolve("WWW.Example.Test", .aaaa)
        #expect(aaaa.records.map(\.data) == [.aaaa(Samples.address("2001:db8::1"))])
        let txt = try await subject.resolver.resolve("example.test", .txt)
        #expect(Set(txt.texts) == ["v=spf1 include:spf.forwardemail.net -all", "forward-email-site-verification=tok"])
        let dkim = try await subject.resolver.resolve("sel._domainkey.example.test", .txt)
        #expect(dkim.records.count == 1 && dkim.texts.first?.count == 318)
        let idn = try await subject.resolver.resolve("bücher.example.test", .txt)
        #expect(idn.texts == ["idn"])
    }

    @Test("NXDOMAIN, NODATA and empty non-terminals, with negative TTLs", arguments: ResolverKind.all)
    func negatives(_ kind: ResolverKind) async throws {
        let subject = try await ResolverUnderTest(kind, zones: try Self.zones())
        defer { subject.stop() }
        let missing = try await subject.resolver.resolve("nope.example.test", .a)
        #expect(missing.status == .nonExistentDomain)
        #expect(missing.negativeTTL == 45)
        let nodata = try await subject.resolver.resolve("www.example.test", .mx)
        #expect(nodata.status == .noData)
        #expect(nodata.negativeTTL == 45)
        let emptyNonTerminal = try await subject.resolver.resolve("_domainkey.example.test", .txt)
        #expect(emptyNonTerminal.status == .noData)
        let outside = try await subject.resolver.resolve("example.invalid", .a)
        #expect(outside.status == .refused)
    }

    @Test("CNAME chains: followed, across zones, dangling, looping", arguments: ResolverKind.all)
    func chains(_ kind: ResolverKind) async throws {
        let subject = try await ResolverUnderTest(kind, zones: try Self.zones())
        defer { subject.stop() }
        let chain = try await subject.resolver.resolve("a.example.test", .a)
        #expect(chain.status == .answer)
        #expect(chain.aliases.count == 2)
        #expect(chain.canonicalName == Samples.name("www.example.test"))
        #expect(chain.records.map(\.data) == [.a(Samples.address("192.0.2.1"))])
        let away = try await subject.resolver.resolve("away.example.test", .a)
        #expect(away.records.map(\.data) == [.a(Samples.address("192.0.2.30"))])
        let dangling = try await subject.resolver.resolve("dangling.example.test", .a)
        #expect(dangling.status == .nonExistentDomain)
        #expect(dangling.aliases.count == 1)
        let loop = try await subject.resolver.resolve("loop1.example.test", .a)
        #expect(loop.status == .aliasLoop)
        let cname = try await subject.resolver.resolve("a.example.test", .cname)
        #expect(cname.records.map(\.data) == [.cname(Samples.name("b.example.test"))])
    }

    @Test("a fully set-up domain passes every check", arguments: ResolverKind.all)
    func verifierPasses(_ kind: ResolverKind) async throws {
        let subject = try await ResolverUnderTest(kind, zones: try Self.zones())
        defer { subject.stop() }
        var configuration = DomainVerifier.Configuration()
        configuration.dkim = .init(selector: "sel", publicKey: String(repeating: "K", count: 150) + " " + String(repeating: "K", count: 150))
        configuration.returnPath = .init(name: "bounces")
        let report = try await DomainVerifier(resolver: subject.resolver, configuration: configuration)
            .verify(domain: "example.test", token: "tok")
        #expect(report.checks.map(\.kind) == [.verification, .mailExchanges, .spf, .dmarc, .dkim, .returnPath])
        for check in report.checks { #expect(check.status == .pass, "\(check.kind): \(check.message)") }
        #expect(report.checks.first { $0.kind == .dmarc }?.details == ["p": "reject", "pct": "100"])
        #expect(report.status == .pass)
    }

    @Test("the wrong token, a missing domain and an unrelated DKIM key fail", arguments: ResolverKind.all)
    func verifierFails(_ kind: ResolverKind) async throws {
        let subject = try await ResolverUnderTest(kind, zones: try Self.zones())
        defer { subject.stop() }
        var configuration = DomainVerifier.Configuration()
        configuration.dkim = .init(selector: "sel", publicKey: "AAAA")
        let verifier = DomainVerifier(resolver: subject.resolver, configuration: configuration)
        let report = try await verifier.verify(domain: "example.test", token: "other")
        #expect(report.checks.first?.status == .fail)
        #expect(report.checks.first?.message.contains("change it to \"forward-email-site-verification=other\"") == true)
        #expect(report.checks.last?.status == .fail)
        let missing = try await verifier.verify(domain: "nope.example.test", token: "tok")
        #expect(missing.checks.allSatisfy { $0.status == .fail })
        #expect(missing.checks.first?.message.contains("NXDOMAIN") == true)
    }
}
