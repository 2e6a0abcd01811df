import CommunityMailMessage
import CommunityMailTestSupport
import Testing

@testable import MailAuth

/// The RFC5322.From domain rules (RFC 7489 section 6.6.1).
@Suite("DMARCFromDomain")
struct DMARCFromDomainTests {
    @Test("one author address gives its domain (lowercase, A-label)", arguments: [
        ("alice@example.com", "example.com"), ("Alice <alice@Example.COM>", "example.com"),
        ("\"Doe, Jane\" <jane@example.org>", "example.org"), ("alice@example.com (Alice, the sender)", "example.com"),
        ("\"a@b\" <c@example.net>", "example.net"), ("=?utf-8?q?J=C3=BCrgen?= <j@example.de>", "example.de"),
        ("<\"odd local\"@example.com>", "example.com"), ("j@bücher.example", "xn--bcher-kva.example"),
        ("Group: one@example.com;", "example.com"),
    ])
    func single(_ value: String, _ domain: String) {
        #expect(DMARCFromDomain(fieldValue: value) == .domain(domain))
    }

    @Test("every other shape is its own case")
    func otherShapes() {
        #expect(DMARCFromDomain(fieldValue: "a@example.com, b@example.org") == .multipleAddresses(count: 2))
        #expect(DMARCFromDomain(fieldValue: "Undisclosed:;") == .multipleAddresses(count: 0))
        #expect(DMARCFromDomain(fieldValue: "") == .multipleAddresses(count: 0))
        #expect(DMARCFromDomain(fieldValue: "alice") == .unparseable)
        #expect(DMARCFromDomain(fieldValue: "alice@[192.0.2.1]") == .unparseable)
        #expect(DMARCFromDomain(fieldValue: "alice@") == .unparseable)
        #expect(DMARCFromDomain(fieldValue: "Alice <alice@example.com") == .unparseable)
        #expect(DMARCFromDomain(fieldValue: "\"unclosed <a@example.com>") == .unparseable)
        #expect(DMARCFromDomain(fieldValue: "a@exa mple.com") == .unparseable)
        #expect(DMARCFromDomain(fieldValue: "a@" + String(repeating: "x", count: 70) + ".com") == .unparseable)
        #expect(DMARCFromDomain(fieldValue: String(repeating: "(", count: 100) + "a@example.com") == .unparseable)
        #expect(DMARCFromDomain(fieldValue: "a@example.com" + String(repeating: " ", count: 20_000)) == .unparseable)
        let none = MailMessageHeader.make("Subject: x\r\n")
        #expect(DMARCFromDomain(header: none) == .missing)
        #expect(DMARCFromDomain(header: MailMessageHeader.make("From: a@example.com\r\nFROM: b@example.com\r\n")) == .multipleFields)
        #expect(DMARCFromDomain(header: MailMessageHeader.make("From: a@example.com\r\n")) == .domain("example.com"))
    }

    @Test("random and mutated From values: a typed case, never a crash")
    func mutated() {
        var random = SplitMix64(seed: 6_616)
        let seeds = ["\"Doe, Jane\" (comment (nested)) <jane@example.org>", "Group: a@example.com, \"b\" <b@example.net>;", "a@b.example"]
        for round in 0..<3000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0..<Int(random.next() % 6 + 1) {
                let position = Int(random.next() % UInt64(bytes.count))
                bytes[position] = [UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"),
                                   UInt8(ascii: "\\"), UInt8(ascii: ","), UInt8(ascii: "@"), UInt8(truncatingIfNeeded: random.next())][Int(random.next() % 9)]
            }
            switch DMARCFromDomain(fieldValue: String(decoding: bytes, as: UTF8.self)) {
            case .domain(let domain): #expect(!domain.isEmpty && domain == domain.lowercased())
            case .missing, .multipleFields: Issue.record("a single value cannot be missing or repeated")
            case .multipleAddresses, .unparseable: break
            }
        }
    }
}

/// Header blocks for the From tests.
enum MailMessageHeader {
    static func make(_ fields: String) -> HeaderBlock { MailMessage(Array((fields + "\r\nbody\r\n").utf8)).header }
}
