import CommunityMailSystem
import CommunityMailTestSupport
import DNSVerify
import Testing

/// The stub resolver against a scripted loopback responder: reply validation (RFC 5452),
/// malformed replies, silence, TCP fallback, EDNS fallback and server failover.
@Suite("Transport against a scripted responder")
struct TransportTests {
    static let name = Samples.name("mail.example.org")
    static let answer = DNSRecord(name: name, ttl: 120, data: .a(Samples.address("192.0.2.25")))

    // Generous per-try time: answers come in microseconds, but a fully loaded two-core
    // machine running the whole suite can delay a thread for seconds.
    static func resolver(_ servers: [DNSNameserver], timeout: Duration = .seconds(10), attempts: Int = 1,
                         edns: UInt16? = DNSMessage.recommendedPayloadSize) throws -> DNSStubResolver {
        var configuration = DNSStubResolver.Configuration(nameservers: servers)
        configuration.timeout = timeout
        configuration.attempts = attempts
        configuration.overallTimeout = .seconds(30)
        configuration.ednsPayloadSize = edns
        return try DNSStubResolver(configuration: configuration)
    }

    @Test("replies with a wrong id, from a wrong port or with a wrong question are ignored")
    func spoofedRepliesIgnored() async throws {
        let responder = try ScriptedDNSResponder { query in
            var wrongID = query.reply(answers: [DNSRecord(name: Self.name, ttl: 1, data: .a(Samples.address("203.0.113.1")))])
            wrongID.header.id &+= 1
            var wrongQuestion = query.reply(answers: [DNSRecord(name: Self.name, ttl: 1, data: .a(Samples.address("203.0.113.2")))])
            wrongQuestion.questions = [DNSQuestion(name: Samples.name("other.example.org"), type: .a)]
            let wrongPort = query.reply(answers: [DNSRecord(name: Self.name, ttl: 1, data: .a(Samples.address("203.0.113.3")))])
            return [.send(wrongID.bytes), .sendFromOtherPort(wrongPort.bytes), .send(wrongQuestion.bytes),
                    .send(query.reply(answers: [Self.answer]).bytes)]
        }
        defer { responder.stop() }
        let result = try await Self.resolver([responder.nameserver]).resolve(Self.name, .a)
        #expect(result.status == .answer)
        #expect(result.records == [Self.answer])
    }

    @Test("only forged replies: nothing is accepted and the try times out")
    func onlyForgedReplies() async throws {
        let responder = try ScriptedDNSResponder { query in
            var wrongID = query.reply(answers: [Self.answer])
            wrongID.header.id &+= 1
            var notResponse = query.reply(answers: [Self.answer])
            notResponse.header.isResponse = false
            return [.send(wrongID.bytes), .sendFromOtherPort(query.reply(answers: [Self.answer]).bytes), .send(notResponse.bytes)]
        }
        defer { responder.stop() }
        let result = try await Self.resolver([responder.nameserver], timeout: .milliseconds(300)).resolve(Self.name, .a)
        #expect(result.status == .timeout)
        #expect(result.isTransient)
    }

    @Test("a compression loop in a reply is a malformed reply, not a hang or a crash")
    func compressionLoop() async throws {
        let responder = try ScriptedDNSResponder { query in
            var bytes = query.reply().bytes
            bytes[7] = 1  // one answer: its owner name points at itself
            let here = bytes.count
            bytes += [0xC0 | UInt8(here >> 8), UInt8(here & 0xFF), 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]
            return [.send(bytes)]
        }
        defer { responder.stop() }
        let result = try await Self.resolver([responder.nameserver], timeout: .milliseconds(300)).resolve(Self.name, .a)
        #expect(result.status == .malformedResponse)
        #expect(result.detail.contains("pointer"))
    }

    @Test("truncated and garbage packets give typed errors and never crash", arguments: [
        [UInt8](),  // after the id and flags: nothing, a header cut short
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        [UInt8](repeating: 0x41, count: 300),
    ])
    func garbage(_ tail: [UInt8]) async throws {
        let responder = try ScriptedDNSResponder { query in
            // Garbage that carries the right id and the response bit, so it is decoded.
            let id = [UInt8(query.header.id >> 8), UInt8(query.header.id & 0xFF), 0x81, 0x80]
            let cut = Array(query.reply(answers: [Self.answer]).bytes.dropLast(3))
            return [.send(id + [0, 1]), .send(id + tail), .send(cut), .send(Array(tail.prefix(7)))]
        }
        defer { responder.stop() }
        let result = try await Self.resolver([responder.nameserver], timeout: .milliseconds(300)).resolve(Self.name, .a)
        #expect(result.status == .malformedResponse)
        #expect(result.isTransient)
    }

    @Test("a server that never answers times out, then the next server answers")
    func silentThenNext() async throws {
        let silent = try ScriptedDNSResponder { _ in [] }
        let good = try ScriptedDNSResponder { query in [.send(query.reply(answers: [Self.answer]).bytes)] }
        defer {
            silent.stop()
            good.stop()
        }
        // Generous: the good server must answer within it even on a loaded machine.
        let resolver = try Self.resolver([silent.nameserver, good.nameserver], timeout: .seconds(5))
        let result = await resolver.resolve(Self.name, .a)
        #expect(result.status == .answer, "\(result)")
        #expect(silent.queries.count == 1 && good.queries.count == 1)
        let alone = try await Self.resolver([silent.nameserver], timeout: .milliseconds(150), attempts: 2).resolve(Self.name, .a)
        #expect(alone.status == .timeout)
        // The responder's thread records the last query on its own time.
        try await waitUntil("the silent server saw three queries", timeout: .seconds(60)) { silent.queries.count >= 3 }
        #expect(silent.queries.count == 3)
    }

    @Test("a truncated UDP reply is asked again over TCP")
    func tcpFallback() async throws {
        let many = (1...200).map { DNSRecord(name: Self.name, ttl: 60, data: .a(Samples.address("10.0.\($0 / 250).\($0 % 250)"))) }
        let responder = try ScriptedDNSResponder(
            udpScript: { query in [.send(query.reply(truncated: true).bytes)] },
            tcpScript: { query in query.reply(answers: many).bytes })
        defer { responder.stop() }
        let result = try await Self.resolver([responder.nameserver]).resolve(Self.name, .a)
        #expect(result.status == .answer, "\(result)")
        #expect(result.records.count == 200)
    }

    @Test("FORMERR to an EDNS query: asked again without EDNS")
    func ednsFallback() async throws {
        let responder = try ScriptedDNSResponder { query in
            if query.edns != nil {
                var formerr = query.reply(code: .formatError)
                formerr.questions = []
                return [.send(formerr.bytes)]
            }
            return [.send(query.reply(answers: [Self.answer]).bytes)]
        }
        defer { responder.stop() }
        let result = try await Self.resolver([responder.nameserver]).resolve(Self.name, .a)
        #expect(result.status == .answer)
        let queries = responder.queries
        #expect(queries.count == 2)
        #expect(queries.first?.query.edns?.recordClass.rawValue == 1232)
        #expect(queries.last?.query.edns == nil)
    }

    @Test("SERVFAIL and REFUSED move on to the next server, and stay distinct when all fail")
    func failover() async throws {
        let failing = try ScriptedDNSResponder { query in [.send(query.reply(code: .serverFailure).bytes)] }
        let refusing = try ScriptedDNSResponder { query in [.send(query.reply(code: .refused).bytes)] }
        let good = try ScriptedDNSResponder { query in [.send(query.reply(answers: [Self.answer]).bytes)] }
        defer {
            failing.stop()
            refusing.stop()
            good.stop()
        }
        #expect(try await Self.resolver([failing.nameserver, good.nameserver]).resolve(Self.name, .a).status == .answer)
        #expect(try await Self.resolver([failing.nameserver]).resolve(Self.name, .a).status == .serverFailure)
        #expect(try await Self.resolver([refusing.nameserver]).resolve(Self.name, .a).status == .refused)
    }

    @Test("every query uses a fresh id and source port")
    func randomIDsAndPorts() async throws {
        let responder = try ScriptedDNSResponder { query in [.send(query.reply(answers: [Self.answer]).bytes)] }
        defer { responder.stop() }
        let resolver = try Self.resolver([responder.nameserver])
        for _ in 0..<12 { _ = await resolver.resolve(Self.name, .a) }
        let queries = responder.queries
        #expect(queries.count == 12)
        #expect(Set(queries.map(\.query.header.id)).count >= 10)
        #expect(Set(queries.map(\.sourcePort)).count >= 10)
    }

    @Test("IPv6 servers on ::1 work, and rotate spreads lookups over the servers")
    func ipv6AndRotate() async throws {
        let first = try ScriptedDNSResponder(ipv6: true) { query in [.send(query.reply(answers: [Self.answer]).bytes)] }
        let second = try ScriptedDNSResponder { query in [.send(query.reply(answers: [Self.answer]).bytes)] }
        defer {
            first.stop()
            second.stop()
        }
        var configuration = DNSStubResolver.Configuration(nameservers: [first.nameserver, second.nameserver])
        configuration.rotate = true
        configuration.timeout = .seconds(2)
        let resolver = try DNSStubResolver(configuration: configuration)
        for _ in 0..<4 { #expect(await resolver.resolve(Self.name, .a).status == .answer) }
        #expect(first.queries.count == 2 && second.queries.count == 2)
        #expect(first.nameserver.description.hasPrefix("[::1]:"))
    }

    @Test("the overall deadline ends a lookup before the per-try timeout would")
    func overallDeadline() async throws {
        let silent = try ScriptedDNSResponder { _ in [] }
        defer { silent.stop() }
        var configuration = DNSStubResolver.Configuration(nameservers: [silent.nameserver])
        configuration.timeout = .seconds(30)
        configuration.attempts = 3
        configuration.overallTimeout = .milliseconds(300)
        let result = try await DNSStubResolver(configuration: configuration).resolve(Self.name, .a)
        #expect(result.status == .timeout)
        #expect(silent.queries.count == 1)
    }

    @Test("cancelling the task ends the wait for a silent server")
    func cancellation() async throws {
        let silent = try ScriptedDNSResponder { _ in [] }
        defer { silent.stop() }
        var configuration = DNSStubResolver.Configuration(nameservers: [silent.nameserver])
        configuration.timeout = .seconds(30)
        configuration.overallTimeout = .seconds(60)
        let resolver = try DNSStubResolver(configuration: configuration)
        let lookup = Task { await resolver.resolve(Self.name, .a) }
        while silent.queries.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        lookup.cancel()
        let result = await lookup.value
        #expect(result.status == .timeout)
        #expect(result.detail.contains("cancelled"))
    }
}
