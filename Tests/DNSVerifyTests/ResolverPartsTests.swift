import CommunityMailSystem
import CommunityMailTestSupport
import DNSVerify
import Foundation
import Testing

/// resolv.conf parsing, server addresses, the cache and the fake's own rules.
@Suite("Resolver configuration, cache and fake")
struct ResolverPartsTests {
    @Test("resolv.conf: nameservers (at most three, IPv4 and IPv6, no scoped link-local), timeout, attempts, rotate")
    func resolvConf() {
        let text = """
            # comment
            search example.org
            nameserver 192.0.2.53
            nameserver 2001:db8::53 ; trailing comment
            nameserver fe80::1%eth0
            nameserver 198.51.100.53
            nameserver 203.0.113.53
            nameserver not-an-address
            options ndots:2 timeout:3 attempts:9 rotate
            """
        let configuration = DNSStubResolver.Configuration.parse(resolvConf: text)
        #expect(configuration.nameservers.map(\.description) == ["192.0.2.53:53", "[2001:db8::53]:53", "198.51.100.53:53"])
        #expect(configuration.timeout == .seconds(3))
        #expect(configuration.attempts == 5)
        #expect(configuration.rotate)
        let empty = DNSStubResolver.Configuration.parse(resolvConf: "options timeout:0\n")
        #expect(empty.nameservers == [DNSNameserver(address: .loopbackIPv4)])
        #expect(empty.timeout == .seconds(5) && empty.attempts == 2 && !empty.rotate)
    }

    @Test("resolv.conf from a file; an unreadable file is a typed error")
    func resolvConfFile() throws {
        let directory = try TemporaryDirectory(prefix: "resolv")
        let path = directory.path("resolv.conf")
        try "nameserver 127.0.0.1\noptions timeout:1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let resolver = try DNSStubResolver(resolvConfPath: path)
        #expect(resolver.configuration.nameservers == [DNSNameserver(address: .loopbackIPv4)])
        #expect(resolver.configuration.timeout == .seconds(1))
        #expect(throws: DNSError.invalidConfiguration) { try DNSStubResolver(resolvConfPath: "/nonexistent/resolv.conf") }
        #expect(throws: DNSError.invalidConfiguration) { try DNSStubResolver(configuration: .init()) }
    }

    @Test("server addresses with ports, IPv4 and IPv6")
    func nameservers() throws {
        #expect(try DNSNameserver("127.0.0.1:5353") == DNSNameserver(address: .loopbackIPv4, port: 5353))
        #expect(try DNSNameserver("::1") == DNSNameserver(address: .loopbackIPv6))
        #expect(try DNSNameserver("[::1]:5353").port == 5353)
        #expect(throws: DNSError.invalidAddress) { try DNSNameserver("127.0.0.1:0") }
        #expect(throws: DNSError.invalidAddress) { try DNSNameserver("[::1") }
        #expect(throws: DNSError.invalidAddress) { try DNSNameserver("host.example:53") }
    }

    @Test("the cache keeps answers for their TTL and absences for the SOA's negative TTL, not failures")
    func cache() async throws {
        let clock = ManualClock()
        let cache = DNSCache(clock: clock)
        let fake = InMemoryDNSResolver(cache: cache)
        try fake.addZone("example.org", negativeTTL: 30)
        try fake.add("www.example.org", ttl: 100, .a(Samples.address("192.0.2.1")))
        _ = try await fake.resolve("www.example.org", .a)
        _ = try await fake.resolve("missing.example.org", .a)
        try fake.scriptFailure(.serverFailure, for: "flaky.example.org")
        _ = try await fake.resolve("flaky.example.org", .a)
        #expect(fake.questionsAsked.count == 3)
        #expect(cache.count == 2)

        clock.advance(by: .seconds(20))
        let cached = try await fake.resolve("www.example.org", .a)
        #expect(cached.records.first?.ttl == 80)
        #expect(try await fake.resolve("missing.example.org", .a).negativeTTL == 10)
        #expect(try await fake.resolve("flaky.example.org", .a).status == .nonExistentDomain)
        #expect(fake.questionsAsked.count == 4)  // only the uncached failure was asked again

        clock.advance(by: .seconds(15))
        _ = try await fake.resolve("missing.example.org", .a)
        #expect(fake.questionsAsked.count == 5)  // the negative entry expired after 30 s
        clock.advance(by: .seconds(70))
        _ = try await fake.resolve("www.example.org", .a)
        #expect(fake.questionsAsked.count == 6)
    }

    @Test("a wall-clock step back does not stretch a cached answer's life")
    func cacheClockStep() async throws {
        let clock = ManualClock()
        let cache = DNSCache(clock: clock)
        let fake = InMemoryDNSResolver(cache: cache)
        try fake.addZone("example.org")
        try fake.add("www.example.org", ttl: 100, .a(Samples.address("192.0.2.1")))
        _ = try await fake.resolve("www.example.org", .a)
        _ = try await fake.resolve("www.example.org", .a)
        #expect(fake.questionsAsked.count == 1)
        clock.set(clock.now().addingTimeInterval(-3600))
        let again = try await fake.resolve("www.example.org", .a)
        #expect(fake.questionsAsked.count == 2)  // the entry from "the future" was dropped
        #expect(again.records.first?.ttl == 100)
    }

    @Test("the fake enforces zone rules: inside a zone, no CNAME beside data, short strings")
    func fakeRules() throws {
        let fake = InMemoryDNSResolver()
        try fake.addZone("example.org")
        #expect(throws: DNSError.invalidRecord) { try fake.addZone("example.org") }
        #expect(throws: DNSError.invalidRecord) { try fake.add("example.net", .a(Samples.address("192.0.2.1"))) }
        try fake.add("www.example.org", .a(Samples.address("192.0.2.1")))
        #expect(throws: DNSError.invalidRecord) { try fake.add("www.example.org", .cname(Samples.name("example.org"))) }
        try fake.add("alias.example.org", .cname(Samples.name("www.example.org")))
        #expect(throws: DNSError.invalidRecord) { try fake.add("alias.example.org", .txt(text: "x")) }
        #expect(throws: DNSError.characterStringTooLong) { try fake.add("t.example.org", .txt([[UInt8](repeating: 1, count: 256)])) }
        #expect(throws: DNSError.invalidRecord) { try fake.add("t.example.org", .txt([])) }
        #expect(throws: DNSError.invalidConfiguration) { try fake.scriptFailure(.noData, for: "www.example.org") }
        try fake.add("www.example.org", .a(Samples.address("192.0.2.1")))
        #expect(fake.records.count == 3)  // SOA, A (added twice, kept once), CNAME
    }
}

