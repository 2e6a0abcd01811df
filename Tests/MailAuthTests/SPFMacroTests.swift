import DNSVerify
import Testing

@testable import MailAuth

/// Macro expansion against RFC 7208 section 7.4's examples, and macro syntax errors.
@Suite("SPF: macros")
struct SPFMacroTests {
    static func evaluation(client: String, sender: String = "strong-bad@email.example.com") throws -> SPFEvaluation {
        var configuration = SPFVerifier.Configuration()
        configuration.receivingHost = "mx.receiver.example"
        return SPFEvaluation(
            resolver: InMemoryDNSResolver(), configuration: configuration, client: try DNSAddress(client).bytes,
            sender: SPFSender(mailFrom: sender), helo: "mx.example.org")
    }

    static func expand(_ text: String, client: String = "192.0.2.3", isExplanation: Bool = false) async throws -> String {
        let evaluation = try evaluation(client: client)
        let spec = try SPFMacroString(parsing: Array(text.utf8), isExplanation: isExplanation)
        return String(decoding: try await evaluation.expand(spec, domain: "email.example.com"), as: UTF8.self)
    }

    @Test(
        "RFC 7208 section 7.4's IPv4 examples",
        arguments: [
            ("%{s}", "strong-bad@email.example.com"), ("%{o}", "email.example.com"), ("%{d}", "email.example.com"),
            ("%{d4}", "email.example.com"), ("%{d3}", "email.example.com"), ("%{d2}", "example.com"), ("%{d1}", "com"),
            ("%{dr}", "com.example.email"), ("%{d2r}", "example.email"), ("%{l}", "strong-bad"), ("%{l-}", "strong.bad"),
            ("%{lr}", "strong-bad"), ("%{lr-}", "bad.strong"), ("%{l1r-}", "strong"),
            ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
            ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
            ("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"),
            ("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"),
            ("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
        ])
    func rfcExamplesIPv4(macro: String, expected: String) async throws {
        #expect(try await Self.expand(macro) == expected)
    }

    @Test("RFC 7208 section 7.4's IPv6 example (nibbles in upper case, as the suite expects; DNS ignores case)")
    func rfcExampleIPv6() async throws {
        let expanded = try await Self.expand("%{ir}.%{v}._spf.%{d2}", client: "2001:db8::cb01")
        #expect(expanded.lowercased() == "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com")
        #expect(try await Self.expand("%{c}", client: "2001:DB8::CB01", isExplanation: true) == "2001:db8::cb01")
    }

    @Test("escapes, upper-case URL escaping, explanation-only letters, an IPv4-mapped client")
    func escapesAndExplanationLetters() async throws {
        #expect(try await Self.expand("a%%b%_c%-d") == "a%b c%20d")
        #expect(try await Self.expand("%{L}=%{S}") == "strong-bad=strong-bad%40email.example.com")
        #expect(try await Self.expand("%{r} %{c} %{h}", isExplanation: true) == "mx.receiver.example 192.0.2.3 mx.example.org")
        #expect(try await Self.expand("%{i}.%{v}", client: "::ffff:192.0.2.3") == "192.0.2.3.in-addr")
        // No PTR record validates: %{p} is "unknown".
        #expect(try await Self.expand("%{p}") == "unknown")
    }

    @Test(
        "syntax errors",
        arguments: ["%", "abc%", "%{", "%{}", "%{x}", "%{d0}", "%{dr!}", "%(ir)", "%a", "%{c}", "%{r}", "%{t}", "a b", "\u{1}"])
    func syntaxErrors(text: String) {
        #expect(throws: SPFSyntaxError.self) { try SPFMacroString(parsing: Array(text.utf8), isExplanation: false) }
    }

    @Test("domain-spec endings (RFC 7208 section 7.1)")
    func domainSpecEndings() {
        for good in ["example.com", "example.com.", "%{d}", "_spf.%{d2}", "foo:bar/baz.example.com", "x.xn--zckzah", "a.%%", "a.b-c"] {
            #expect((try? SPFMacroString(domainSpec: Array(good.utf8))) != nil, "\(good)")
        }
        for bad in ["", "museum", "museum.", "a.123", "foo.-com", "foo.com-", "example.com:8080", "%{d}com", "a.b/24", "111.222.33.44"] {
            #expect((try? SPFMacroString(domainSpec: Array(bad.utf8))) == nil, "\(bad)")
        }
    }

    @Test("an expansion past the limit gives nil, however many macros the string repeats")
    func expansionBound() throws {
        let evaluation = try Self.evaluation(client: "192.0.2.3")
        let spec = try SPFMacroString(parsing: Array(String(repeating: "%{s}", count: 10_000).utf8), isExplanation: false)
        let context = evaluation.macroContext(domain: "email.example.com")
        #expect(spec.expanded(with: context, limit: 4096) == nil)
        #expect(spec.expanded(with: context, limit: 10_000 * 28)?.count == 10_000 * 28)
    }
}
