import CommunityMailSystem
import DNSVerify
import Synchronization
import Testing

@testable import MailAuth

/// ``SPFVerifier``'s identities and result fields, the explanation macros, and the time
/// limit, over ``InMemoryDNSResolver``.
@Suite("SPF: verifier")
struct SPFVerifierTests {
    static func resolver() throws -> InMemoryDNSResolver {
        let resolver = InMemoryDNSResolver()
        try resolver.addZone("example.test")
        try resolver.add("example.test", .txt(text: "v=spf1 ip4:192.0.2.0/24 -all exp=why.example.test"))
        try resolver.add("why.example.test", .txt(text: "%{c} may not send for %{o} (seen by %{r} at %{t})"))
        try resolver.add("mx.example.test", .txt(text: "v=spf1 a -all"))
        try resolver.add("mx.example.test", .a(try DNSAddress("192.0.2.25")))
        try resolver.add("xn--bcher-kva.example.test", .txt(text: "v=spf1 ip6:2001:db8::/32 -all"))
        return resolver
    }

    static func verifier(_ resolver: some DNSResolver, clock: any ServiceClock = ManualClock()) -> SPFVerifier {
        var configuration = SPFVerifier.Configuration()
        configuration.receivingHost = "mx.receiver.test"
        configuration.clock = clock
        return SPFVerifier(resolver: resolver, configuration: configuration)
    }

    @Test("MAIL FROM: pass and fail, the checked sender and domain, a reason without the address")
    func mailFrom() async throws {
        let spf = Self.verifier(try Self.resolver())
        let pass = await spf.checkMailFrom(clientAddress: try DNSAddress("192.0.2.9"), mailFrom: "alice@example.test", helo: "x.test")
        #expect(pass.verdict == .pass)
        #expect(pass.identity == .mailFrom)
        #expect(pass.sender == "alice@example.test")
        #expect(pass.domain == "example.test")
        #expect(pass.explanation == nil)
        #expect(pass.description == "spf=pass (mechanism +ip4 matched)")
        let fail = await spf.checkMailFrom(clientAddress: try DNSAddress("203.0.113.5"), mailFrom: "alice@example.test", helo: "x.test")
        #expect(fail.verdict == .fail)
        #expect(fail.explanation == "203.0.113.5 may not send for example.test (seen by mx.receiver.test at 1800000000)")
        #expect(!fail.description.contains("alice") && !fail.reason.contains("203.0.113.5"))
    }

    @Test("an empty MAIL FROM checks postmaster@HELO; no local-part gets postmaster")
    func emptyReversePath() async throws {
        let spf = Self.verifier(try Self.resolver())
        let bounce = await spf.checkMailFrom(clientAddress: try DNSAddress("192.0.2.25"), mailFrom: "", helo: "mx.example.test")
        #expect(bounce.verdict == .pass)
        #expect(bounce.identity == .mailFrom)
        #expect(bounce.sender == "postmaster@mx.example.test")
        #expect(bounce.domain == "mx.example.test")
        let noLocalPart = await spf.checkMailFrom(clientAddress: try DNSAddress("192.0.2.9"), mailFrom: "@example.test", helo: "x.test")
        #expect(noLocalPart.sender == "postmaster@example.test")
        #expect(noLocalPart.verdict == .pass)
    }

    @Test("HELO: the HELO name's own policy; literals and single labels are none")
    func helo() async throws {
        let spf = Self.verifier(try Self.resolver())
        let pass = await spf.checkHELO(clientAddress: try DNSAddress("192.0.2.25"), helo: "mx.example.test")
        #expect(pass.verdict == .pass)
        #expect(pass.identity == .helo)
        #expect(pass.sender == "mx.example.test")
        #expect(await spf.checkHELO(clientAddress: try DNSAddress("192.0.2.26"), helo: "mx.example.test").verdict == .fail)
        #expect(await spf.checkHELO(clientAddress: try DNSAddress("192.0.2.26"), helo: "[192.0.2.26]").verdict == .none)
        #expect(await spf.checkHELO(clientAddress: try DNSAddress("192.0.2.26"), helo: "localhost").verdict == .none)
        #expect(await spf.checkHELO(clientAddress: try DNSAddress("192.0.2.26"), helo: "nothing.example.test").verdict == .none)
    }

    @Test("a socket's InternetAddress gives the same results as a DNSAddress")
    func internetAddress() async throws {
        let spf = Self.verifier(try Self.resolver())
        let address = try #require(InternetAddress("::ffff:192.0.2.25"))
        let mailFrom = await spf.checkMailFrom(clientAddress: address, mailFrom: "", helo: "mx.example.test")
        #expect(mailFrom.verdict == .pass)
        #expect(await spf.checkHELO(clientAddress: address, helo: "mx.example.test").verdict == .pass)
        let other = try #require(InternetAddress("2001:db8::25"))
        #expect(await spf.checkHELO(clientAddress: other, helo: "mx.example.test").verdict == .fail)
    }

    @Test("an internationalised domain is asked in A-label form")
    func internationalisedDomain() async throws {
        let spf = Self.verifier(try Self.resolver())
        let result = await spf.checkMailFrom(clientAddress: try DNSAddress("2001:db8::5"), mailFrom: "a@bücher.example.test", helo: "x.test")
        #expect(result.verdict == .pass)
    }

    /// Moves a manual clock forward on every question.
    final class SlowResolver: DNSResolver {
        let inner: InMemoryDNSResolver
        let clock: ManualClock
        init(_ inner: InMemoryDNSResolver, _ clock: ManualClock) {
            self.inner = inner
            self.clock = clock
        }
        func resolve(_ question: DNSQuestion) async -> DNSResult {
            clock.advance(by: .seconds(15))
            return await inner.resolve(question)
        }
    }

    @Test("a check that runs past its time limit (on its clock) is a temperror")
    func timeLimit() async throws {
        let resolver = try Self.resolver()
        try resolver.add("slow.example.test", .txt(text: "v=spf1 a:a1.example.test a:a2.example.test -all"))
        try resolver.add("a1.example.test", .a(try DNSAddress("198.51.100.1")))
        try resolver.add("a2.example.test", .a(try DNSAddress("198.51.100.2")))
        let clock = ManualClock()
        let spf = Self.verifier(SlowResolver(resolver, clock), clock: clock)
        let result = await spf.checkMailFrom(clientAddress: try DNSAddress("192.0.2.1"), mailFrom: "a@slow.example.test", helo: "x.test")
        #expect(result.verdict == .temperror)
        #expect(result.reason.contains("time limit"))
        #expect(resolver.questionsAsked.count == 2)
    }

    @Test("a PTR name compressed against the rest of its reply is read whole (RFC 1035 section 4.1.4)")
    func compressedPTR() throws {
        func name(_ labels: [String]) -> [UInt8] { labels.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } }
        var reply: [UInt8] = [0, 1, 0x84, 0, 0, 1, 0, 2, 0, 0, 0, 0]
        reply += name(["1", "2", "0", "192", "in-addr", "arpa"]) + [0, 0, 12, 0, 1]
        let first = name(["host1", "example", "test"]) + [0]
        reply += [0xC0, 12, 0, 12, 0, 1, 0, 0, 1, 44, 0, UInt8(first.count)]
        let exampleOffset = reply.count + 6
        reply += first
        let second = name(["host2"]) + [0xC0, UInt8(exampleOffset)]
        reply += [0xC0, 12, 0, 12, 0, 1, 0, 0, 1, 44, 0, UInt8(second.count)] + second
        let message = try DNSMessage(decoding: reply)
        let names = message.answers.compactMap { record -> DNSName? in
            guard case .unknown(.ptr, let data) = record.data else { return nil }
            return SPFEvaluation.uncompressedName(data)
        }
        #expect(names == [try DNSName("host1.example.test"), try DNSName("host2.example.test")])
    }
}
