import CommunityMailTestSupport
import DNSVerify
import Testing

@testable import MailAuth

/// Hostile SPF records: every one ends in a typed result (permerror or temperror), with
/// the questions asked counted on the resolver, and nothing crashes.
@Suite("SPF: hostile input")
struct SPFHostileInputTests {

    /// A resolver with the zone `example.test` and TXT records at `example.test` names
    /// (long texts split into 255-byte strings, as a zone file would).
    static func resolver(_ records: [String: String], addresses: [String: String] = [:]) throws -> InMemoryDNSResolver {
        let resolver = InMemoryDNSResolver()
        try resolver.addZone("example.test")
        for (name, text) in records {
            let bytes = Array(text.utf8)
            let strings = stride(from: 0, to: bytes.count, by: 255).map { Array(bytes[$0..<min($0 + 255, bytes.count)]) }
            try resolver.add(name, .txt(strings))
        }
        for (name, address) in addresses { try resolver.add(name, .a(try DNSAddress(address))) }
        return resolver
    }

    static func check(_ resolver: InMemoryDNSResolver, domain: String = "example.test",
                      configuration: SPFVerifier.Configuration = SPFVerifier.Configuration()) async -> SPFResult {
        let client = (try? DNSAddress("192.0.2.1")) ?? .loopbackIPv4
        return await SPFVerifier(resolver: resolver, configuration: configuration)
            .checkMailFrom(clientAddress: client, mailFrom: "someone@" + domain, helo: "mail.example.test")
    }

    @Test("an include loop is a permerror after 10 DNS-querying terms")
    func includeLoop() async throws {
        let resolver = try Self.resolver([
            "example.test": "v=spf1 include:b.example.test -all", "b.example.test": "v=spf1 include:example.test -all",
        ])
        let result = await Self.check(resolver)
        #expect(result.verdict == .permerror)
        #expect(result.reason.contains("DNS-querying terms"))
        #expect(resolver.questionsAsked.count == 11)
    }

    @Test("a redirect loop is a permerror after 10 DNS-querying terms")
    func redirectLoop() async throws {
        let resolver = try Self.resolver(["example.test": "v=spf1 redirect=example.test"])
        let result = await Self.check(resolver)
        #expect(result.verdict == .permerror)
        #expect(resolver.questionsAsked.count == 11)
    }

    @Test("10,000 repeated macros in a 40 KiB record: the expansion bound gives a permerror, one question")
    func tenThousandMacros() async throws {
        let record = "v=spf1 exists:" + String(repeating: "%{s}", count: 10_000) + ".example.test -all"
        let resolver = try Self.resolver(["example.test": record])
        let result = await Self.check(resolver)
        #expect(result.verdict == .permerror)
        #expect(result.reason.contains("macro expansion"))
        #expect(resolver.questionsAsked.count == 1)
    }

    @Test("10,000 nested macros are a syntax error (a permerror) found with one question")
    func tenThousandNestedMacros() async throws {
        let nested = String(repeating: "%{", count: 10_000) + "d" + String(repeating: "}", count: 10_000)
        let resolver = try Self.resolver(["example.test": "v=spf1 exists:\(nested).example.test -all"])
        let result = await Self.check(resolver)
        #expect(result.verdict == .permerror)
        #expect(result.reason.contains("syntax"))
        #expect(resolver.questionsAsked.count == 1)
    }

    /// Cancels the task that asks, on its first question.
    final class CancellingResolver: DNSResolver {
        let inner: InMemoryDNSResolver
        init(_ inner: InMemoryDNSResolver) { self.inner = inner }
        func resolve(_ question: DNSQuestion) async -> DNSResult {
            withUnsafeCurrentTask { $0?.cancel() }
            return await inner.resolve(question)
        }
    }

    @Test("a check cancelled during its first question is a temperror and asks nothing more")
    func cancelled() async throws {
        let resolver = try Self.resolver(["example.test": "v=spf1 a a a -all"], addresses: ["example.test": "198.51.100.1"])
        let client = try DNSAddress("192.0.2.1")
        let result = await Task {
            await SPFVerifier(resolver: CancellingResolver(resolver)).checkMailFrom(
                clientAddress: client, mailFrom: "a@example.test", helo: "x.test")
        }.value
        #expect(result.verdict == .temperror)
        #expect(result.reason.contains("cancelled"))
        #expect(resolver.questionsAsked.count == 1)
    }

    @Test("10,000 nested-looking and transformed macros in an explanation: the fail keeps the default explanation")
    func tenThousandMacrosInExplanation() async throws {
        let text = String(repeating: "%{l1r-}%{{%{D2}%%", count: 2_500)
        let resolver = try Self.resolver(["example.test": "v=spf1 -all exp=why.example.test", "why.example.test": text])
        var configuration = SPFVerifier.Configuration()
        configuration.defaultExplanation = "not allowed"
        let result = await Self.check(resolver, configuration: configuration)
        #expect(result.verdict == .fail)
        #expect(result.explanation == "not allowed")
        #expect(resolver.questionsAsked.count == 2)
    }

    @Test("a 64 KiB record of 4,000 ip4 mechanisms is parsed and evaluated with one question")
    func hugeRecord() async throws {
        var record = "v=spf1"
        var index = 0
        while record.utf8.count < 65_000 {
            record += " ip4:10.\(index / 256 % 256).\(index % 256).0/24"
            index += 1
        }
        record += " ip4:192.0.2.1 -all"
        let resolver = try Self.resolver(["example.test": record])
        let result = await Self.check(resolver)
        #expect(index > 3_000)
        #expect(result.verdict == .pass)
        #expect(resolver.questionsAsked.count == 1)
    }

    @Test("3,000 a mechanisms: a permerror at the 11th, 11 questions")
    func thousandsOfDNSMechanisms() async throws {
        let record = "v=spf1" + String(repeating: " a", count: 3_000) + " -all"
        let resolver = try Self.resolver(["example.test": record], addresses: ["example.test": "198.51.100.1"])
        let result = await Self.check(resolver)
        #expect(result.verdict == .permerror)
        #expect(resolver.questionsAsked.count == 11)
    }

    @Test("a flood of void lookups: a permerror at the third, 4 questions")
    func voidLookupFlood() async throws {
        let record = "v=spf1" + (1...500).map { " exists:void\($0).example.test" }.joined() + " -all"
        let resolver = try Self.resolver(["example.test": record])
        let result = await Self.check(resolver)
        #expect(result.verdict == .permerror)
        #expect(result.reason.contains("void"))
        #expect(resolver.questionsAsked.count == 4)
    }

    @Test("an mx mechanism with 300 MX records is a permerror without asking for their addresses")
    func mxFlood() async throws {
        let resolver = try Self.resolver(["example.test": "v=spf1 mx -all"])
        for index in 0..<300 {
            try resolver.add("example.test", .mx(preference: UInt16(index), exchange: try DNSName("mx\(index).example.test")))
        }
        let result = await Self.check(resolver)
        #expect(result.verdict == .permerror)
        #expect(resolver.questionsAsked.count == 2)
    }

    @Test("the query budget bounds a check the RFC limits would let run further")
    func queryBudget() async throws {
        let resolver = try Self.resolver(["example.test": "v=spf1 mx -all"])
        for index in 0..<10 {
            try resolver.add("example.test", .mx(preference: UInt16(index), exchange: try DNSName("mx\(index).example.test")))
            try resolver.add("mx\(index).example.test", .a(try DNSAddress("198.51.100.\(index)")))
        }
        var configuration = SPFVerifier.Configuration()
        configuration.maximumQueries = 5
        let result = await Self.check(resolver, configuration: configuration)
        #expect(result.verdict == .permerror)
        #expect(resolver.questionsAsked.count == 5)
        #expect(await Self.check(resolver).verdict == .fail)
    }

    @Test(
        "malformed CIDR lengths are permerrors with one question",
        arguments: [
            "ip4:192.0.2.0/33", "ip4:192.0.2.0/-1", "ip4:192.0.2.0/", "ip4:192.0.2.0/08", "ip4:192.0.2.0/24/24", "ip6:::1/129",
            "ip6:::1//64", "a/99999999999999999999", "a//", "a/", "mx/24//", "mx//0129", "a/+1", "ip4:192.0.2.0/ 24",
        ])
    func malformedCIDR(mechanism: String) async throws {
        let resolver = try Self.resolver(["example.test": "v=spf1 \(mechanism) -all"])
        let result = await Self.check(resolver)
        #expect(result.verdict == .permerror)
        #expect(resolver.questionsAsked.count == 1)
    }

    @Test("transient DNS failures are temperrors; a failing exp lookup keeps the fail")
    func transientFailures() async throws {
        let resolver = try Self.resolver(["example.test": "v=spf1 a:host.example.test -all exp=why.example.test"])
        try resolver.scriptFailure(.timeout, for: "example.test", type: .txt)
        #expect(await Self.check(resolver).verdict == .temperror)
        try resolver.scriptFailure(.serverFailure, for: "host.example.test", type: .a)
        #expect(await Self.check(resolver).verdict == .temperror)
        try resolver.scriptFailure(.refused, for: "why.example.test")
        let result = await Self.check(resolver)
        #expect(result.verdict == .fail)
        #expect(result.explanation == nil)
    }

    @Test("10,000 random records built from the grammar's alphabet: typed results, no crash")
    func randomRecords() async throws {
        var random = SplitMix64(seed: 7208)
        let alphabet = Array("v=spf1 +-~?allincludeamxptrip4ip6existsredirectexp:/.%{}_0123456789dslDSL-,=r".utf8) + [0x00, 0x80, 0x0A]
        for _ in 0..<10_000 {
            let count = Int(random.next() % 120)
            let body = (0..<count).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let text = Array("v=spf1 ".utf8) + body
            if let record = try? SPFRecord(parsing: text) { _ = record.mechanisms.count }
        }
        // And a few hundred through the verifier.
        for round in 0..<300 {
            let count = Int(random.next() % 80)
            let body = (0..<count).map { _ in alphabet[Int(random.next() % 70)] }
            let resolver = try Self.resolver(["example.test": "v=spf1 " + String(decoding: body, as: UTF8.self)])
            let result = await Self.check(resolver)
            #expect(SPFResult.Verdict.allCases.contains(result.verdict), "round \(round)")
            #expect(resolver.questionsAsked.count <= 150)
        }
    }
}
