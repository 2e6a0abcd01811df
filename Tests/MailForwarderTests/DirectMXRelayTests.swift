import CommunityMailSMTP
import CommunityMailTestSupport
import DNSVerify
import MailForwarder
import Synchronization
import Testing

/// DirectMXRelay's routing decisions against InMemoryDNSResolver: what happens before any
/// connection (null MX, NXDOMAIN, DNS failures, loops, the address policy) and the order in
/// which hosts are tried (on a loopback port nobody listens on, so every attempt is refused
/// and the resolver's questions show the order).
@Suite("DirectMXRelay: routing with an in-memory resolver")
struct DirectMXRelayTests {
    static let content = Array("From: a@origin.example\r\nSubject: direct\r\n\r\nbody\r\n".utf8)

    static func envelope(_ recipients: [String]) -> RelayEnvelope {
        RelayEnvelope(sender: "SRS0=abcd=TT=origin.example=a@srs.example.net", recipients: recipients, content: content)
    }

    /// A resolver with the zone `test` and `records` (name, data) in it.
    static func resolver(_ records: [(String, DNSRecordData)]) throws -> InMemoryDNSResolver {
        let resolver = InMemoryDNSResolver()
        try resolver.addZone("test")
        for (name, data) in records { try resolver.add(name, data) }
        return resolver
    }

    /// A relay on a free loopback port (nobody listens there) that may use loopback addresses.
    static func relay(_ resolver: some DNSResolver, _ change: (inout DirectMXRelay.Configuration) -> Void = { _ in }) throws
        -> DirectMXRelay {
        var configuration = DirectMXRelay.Configuration(heloName: "mx.forwarder.test")
        configuration.port = try ChildProcess.freePort()
        configuration.allowsPrivateAddresses = true
        configuration.client.timeouts = .init(everyStep: .seconds(60))
        change(&configuration)
        return try DirectMXRelay(configuration: configuration, resolver: resolver)
    }

    static func statuses(_ outcome: RelayOutcome) -> [String] {
        outcome.replies.map { "\($0.code) \($0.enhancedStatusCode.map { "\($0)" } ?? "")" }
    }

    static func mx(_ preference: UInt16, _ exchange: String) throws -> DNSRecordData {
        .mx(preference: preference, exchange: try DNSName(exchange))
    }

    static func a(_ address: String) throws -> DNSRecordData { .a(try DNSAddress(address)) }

    @Test("RFC 7505 null MX: 556 5.1.10 for that domain's recipients, nothing looked up further")
    func nullMX() async throws {
        let resolver = try Self.resolver([("null.test", try Self.mx(0, "."))])
        let outcome = try await Self.relay(resolver).relay(Self.envelope(["a@null.test", "b@NULL.test"]))
        #expect(Self.statuses(outcome) == ["556 5.1.10", "556 5.1.10"])
        #expect(outcome.dataReply.code == 554)
        #expect(resolver.questionsAsked.map(\.type) == [.mx])
    }

    @Test("A domain that does not exist: 550 5.1.2")
    func nonExistentDomain() async throws {
        let resolver = try Self.resolver([])
        let outcome = try await Self.relay(resolver).relay(Self.envelope(["a@missing.test"]))
        #expect(Self.statuses(outcome) == ["550 5.1.2"])
        #expect(outcome.dataReply.code == 550)
    }

    @Test("DNS that does not answer (timeout, SERVFAIL): 451 4.4.3, so the sender retries")
    func dnsFailures() async throws {
        let resolver = try Self.resolver([("slow.test", try Self.mx(10, "mx.slow.test")), ("broken.test", try Self.mx(10, "mx.broken.test"))])
        try resolver.scriptFailure(.timeout, for: "slow.test", type: .mx)
        try resolver.scriptFailure(.serverFailure, for: "broken.test", type: .mx)
        let outcome = try await Self.relay(resolver).relay(Self.envelope(["a@slow.test", "b@broken.test"]))
        #expect(Self.statuses(outcome) == ["451 4.4.3", "451 4.4.3"])
        #expect(outcome.dataReply.code == 451)
    }

    @Test("An MX host whose address lookup times out, and nothing else to try: 451 4.4.3")
    func addressLookupFailure() async throws {
        let resolver = try Self.resolver([("a.test", try Self.mx(10, "mx.a.test")), ("mx.a.test", try Self.a("127.0.0.1"))])
        try resolver.scriptFailure(.timeout, for: "mx.a.test", type: .a)
        try resolver.scriptFailure(.timeout, for: "mx.a.test", type: .aaaa)
        let outcome = try await Self.relay(resolver).relay(Self.envelope(["a@a.test"]))
        #expect(Self.statuses(outcome) == ["451 4.4.3"])
    }

    @Test("No MX and no address at the domain: 550 5.4.4")
    func noAddress() async throws {
        let resolver = try Self.resolver([("text.test", .txt(text: "v=spf1 -all"))])
        let outcome = try await Self.relay(resolver).relay(Self.envelope(["a@text.test"]))
        #expect(Self.statuses(outcome) == ["550 5.4.4"])
        // Implicit MX: the domain's own A and AAAA were asked after the MX question.
        #expect(resolver.questionsAsked.map(\.type).sorted { $0.rawValue < $1.rawValue } == [.a, .mx, .aaaa])
    }

    @Test("We are the best MX: a loop, 554 5.4.6; hosts preferred to us are still tried")
    func loop() async throws {
        let resolver = try Self.resolver([
            ("self.test", try Self.mx(10, "MX.Forwarder.test")), ("self.test", try Self.mx(20, "backup.test")),
            ("mixed.test", try Self.mx(5, "primary.test")), ("mixed.test", try Self.mx(10, "mx.forwarder.test")),
            ("mixed.test", try Self.mx(20, "backup.test")),
            ("primary.test", try Self.a("127.0.0.1")), ("backup.test", try Self.a("127.0.0.1")),
        ])
        let outcome = try await Self.relay(resolver).relay(Self.envelope(["a@self.test", "b@mixed.test"]))
        #expect(Self.statuses(outcome) == ["554 5.4.6", "451 4.4.1"])
        let addressQuestions = resolver.questionsAsked.filter { $0.type == .a }.map(\.name.text)
        #expect(addressQuestions == ["primary.test"])
    }

    @Test("MX hosts are tried by preference, whatever the record order; 451 4.4.1 when none answers")
    func preferenceOrder() async throws {
        let resolver = try Self.resolver([
            ("order.test", try Self.mx(30, "third.test")), ("order.test", try Self.mx(10, "first.test")),
            ("order.test", try Self.mx(20, "second.test")),
            ("first.test", try Self.a("127.0.0.1")), ("second.test", try Self.a("127.0.0.1")), ("third.test", try Self.a("127.0.0.1")),
        ])
        let outcome = try await Self.relay(resolver).relay(Self.envelope(["a@order.test"]))
        #expect(Self.statuses(outcome) == ["451 4.4.1"])
        #expect(resolver.questionsAsked.filter { $0.type == .a }.map(\.name.text) == ["first.test", "second.test", "third.test"])
    }

    @Test("At most maximumAttempts addresses are tried per domain")
    func attemptLimit() async throws {
        let resolver = try Self.resolver([
            ("many.test", try Self.mx(10, "first.test")), ("many.test", try Self.mx(20, "second.test")),
            ("first.test", try Self.a("127.0.0.1")), ("first.test", try Self.a("127.0.0.2")),
            ("second.test", try Self.a("127.0.0.3")),
        ])
        let outcome = try await Self.relay(resolver) { $0.maximumAttempts = 2 }.relay(Self.envelope(["a@many.test"]))
        #expect(Self.statuses(outcome) == ["451 4.4.1"])
        #expect(!resolver.questionsAsked.contains { $0.name.text == "second.test" })
    }

    @Test("Private addresses are not connected to by default: 550 5.4.4 without an attempt")
    func privateAddressesRefused() async throws {
        let resolver = try Self.resolver([
            ("inside.test", try Self.mx(10, "mx.inside.test")), ("mx.inside.test", try Self.a("10.1.2.3")),
            ("mx.inside.test", .aaaa(try DNSAddress("::1"))), ("weird.test", try Self.a("224.0.0.1")),
        ])
        let outcome = try await Self.relay(resolver) { $0.allowsPrivateAddresses = false }
            .relay(Self.envelope(["a@inside.test", "b@weird.test"]))
        #expect(Self.statuses(outcome) == ["550 5.4.4", "550 5.4.4"])
    }

    @Test("Recipients are grouped by domain case-insensitively and in A-label form; unusable domains get 550 5.1.2")
    func grouping() async throws {
        let resolver = try Self.resolver([
            ("xn--mnchen-3ya.test", try Self.mx(0, ".")), ("other.test", try Self.mx(0, ".")),
        ])
        let outcome = try await Self.relay(resolver).relay(
            Self.envelope(["a@münchen.test", "b@other.test", "c@XN--MNCHEN-3YA.test", "d@[127.0.0.1]", "e@MÜNCHEN.TEST"]))
        #expect(Self.statuses(outcome) == ["556 5.1.10", "556 5.1.10", "556 5.1.10", "550 5.1.2", "556 5.1.10"])
        // One MX question per domain, not per recipient.
        #expect(resolver.questionsAsked.filter { $0.type == .mx }.count == 2)
    }

    @Test("MX hosts of equal preference are tried in random order (RFC 5321 section 5.1)")
    func equalPreferenceShuffled() async throws {
        let resolver = try Self.resolver([
            ("equal.test", try Self.mx(10, "left.test")), ("equal.test", try Self.mx(10, "right.test")),
            ("left.test", try Self.a("127.0.0.1")), ("right.test", try Self.a("127.0.0.1")),
        ])
        let relay = try Self.relay(resolver)
        var firstTried: Set<String> = []
        // Both orders turn up; the chance that 40 tries all start with the same host is 2^-39.
        for _ in 0..<40 where firstTried.count < 2 {
            let before = resolver.questionsAsked.count
            _ = await relay.relay(Self.envelope(["a@equal.test"]))
            if let first = resolver.questionsAsked[before...].first(where: { $0.type == .a }) { firstTried.insert(first.name.text) }
        }
        #expect(firstTried == ["left.test", "right.test"])
    }

    @Test("A zone listing many MX hosts that lead nowhere: at most maximumExchangers are looked up, then 550 5.4.4")
    func exchangerLimit() async throws {
        var records: [(String, DNSRecordData)] = []
        for index in 0..<30 { records.append(("crowded.test", try Self.mx(UInt16(index), "nowhere\(index).test"))) }
        let resolver = try Self.resolver(records)
        let outcome = try await Self.relay(resolver).relay(Self.envelope(["a@crowded.test"]))
        #expect(Self.statuses(outcome) == ["550 5.4.4"])
        let looked = resolver.questionsAsked.filter { $0.type == .a }.map(\.name.text)
        #expect(looked == (0..<10).map { "nowhere\($0).test" })
    }

    @Test("Cancelled before any MX answered: 451 4.4.0 (try again), never a refusal")
    func cancelled() async throws {
        let resolver = try Self.resolver([("a.test", try Self.mx(10, "mx.a.test")), ("mx.a.test", try Self.a("127.0.0.1"))])
        let relay = try Self.relay(resolver)
        let outcome = await Task { () async -> RelayOutcome in
            withUnsafeCurrentTask { $0?.cancel() }
            return await relay.relay(Self.envelope(["a@a.test"]))
        }.value
        #expect(Self.statuses(outcome) == ["451 4.4.0"])
    }

    /// Holds every MX question until released, counting how many wait at once.
    final class GatedResolver: DNSResolver {
        private struct State {
            var waiting = 0
            var mostWaiting = 0
            var released = false
        }
        private let inner: InMemoryDNSResolver
        private let state = Mutex(State())

        init(_ inner: InMemoryDNSResolver) { self.inner = inner }

        var waiting: Int { state.withLock { $0.waiting } }
        var mostWaiting: Int { state.withLock { $0.mostWaiting } }
        func release() { state.withLock { $0.released = true } }

        func resolve(_ question: DNSQuestion) async -> DNSResult {
            if question.type == .mx {
                state.withLock {
                    $0.waiting += 1
                    $0.mostWaiting = max($0.mostWaiting, $0.waiting)
                }
                while !state.withLock({ $0.released }) { try? await Task.sleep(for: .milliseconds(2)) }
                state.withLock { $0.waiting -= 1 }
            }
            return await inner.resolve(question)
        }
    }

    @Test("Domains are delivered concurrently, at most maximumConcurrentDomains at once")
    func concurrencyBound() async throws {
        let domains = (1...5).map { "d\($0).test" }
        let resolver = GatedResolver(try Self.resolver(try domains.map { ($0, try Self.mx(0, ".")) }))
        let relay = try Self.relay(resolver) { $0.maximumConcurrentDomains = 3 }
        let delivery = Task { await relay.relay(Self.envelope(domains.map { "a@\($0)" })) }
        defer { resolver.release() }
        try await waitUntil("three domains are looked up at once") { resolver.waiting >= 3 }
        // Give a fourth the chance to start if the bound did not hold.
        try await Task.sleep(for: .milliseconds(200))
        #expect(resolver.mostWaiting == 3)
        resolver.release()
        let outcome = await delivery.value
        #expect(Self.statuses(outcome) == Array(repeating: "556 5.1.10", count: 5))
    }

    @Test("A recipient an SMTP envelope cannot carry gets 550 5.1.3 alone; the others of its domain are still tried")
    func unusableRecipientFailsAlone() async throws {
        let resolver = try Self.resolver([("a.test", try Self.mx(10, "mx.a.test")), ("mx.a.test", try Self.a("127.0.0.1"))])
        let outcome = try await Self.relay(resolver).relay(Self.envelope(["bad name@a.test", "good@a.test"]))
        // Nobody listens on the relay's port: the usable recipient is deferred, not refused.
        #expect(Self.statuses(outcome) == ["550 5.1.3", "451 4.4.1"])
        #expect(resolver.questionsAsked.contains { $0.type == .a && $0.name.text == "mx.a.test" })
    }

    @Test("A local name that is not a DNS name is refused when the relay is made (loop detection would miss it)")
    func invalidLocalName() throws {
        var configuration = DirectMXRelay.Configuration(heloName: "mx.forwarder.test")
        configuration.localNames.insert("not a name..example")
        #expect(throws: ForwarderError.invalidConfiguration) { try DirectMXRelay(configuration: configuration, resolver: InMemoryDNSResolver()) }
        #expect(throws: ForwarderError.invalidConfiguration) {
            try DirectMXRelay(configuration: DirectMXRelay.Configuration(heloName: ""), resolver: InMemoryDNSResolver())
        }
        configuration.localNames = ["MX.Forwarder.test", "backup.forwarder.test"]
        #expect(throws: Never.self) { try DirectMXRelay(configuration: configuration, resolver: InMemoryDNSResolver()) }
    }

    @Test("A host with 200 address records: the attempts stop at maximumAttempts and no further host is looked up")
    func manyAddresses() async throws {
        var records: [(String, DNSRecordData)] = [("wide.test", try Self.mx(10, "mx.wide.test")), ("wide.test", try Self.mx(20, "next.wide.test"))]
        for index in 1...200 { records.append(("mx.wide.test", try Self.a("127.0.\(index / 100).\(index % 100 + 1)"))) }
        records.append(("next.wide.test", try Self.a("127.0.9.9")))
        let resolver = try Self.resolver(records)
        let outcome = try await Self.relay(resolver) { $0.maximumAttempts = 3 }.relay(Self.envelope(["a@wide.test"]))
        #expect(Self.statuses(outcome) == ["451 4.4.1"])
        // Three attempts used up on the first host: the second is never looked up.
        #expect(!resolver.questionsAsked.contains { $0.name.text == "next.wide.test" })
    }
}
