import AliasStore
import CommunityMailIDNA
import Testing

@Suite("The bounded pattern matcher")
struct AliasPatternTests {
    @Test("The documented subset matches like a regular expression, case-insensitively", arguments: [
        ("^abc$", "abc", true), ("^abc$", "ABC", true), ("abc", "xxabcxx", true), ("^abc", "xabc", false),
        ("a.c", "abc", true), ("a.c", "ac", false), ("^a*$", "", true), ("^a+$", "", false), ("^colou?r$", "color", true),
        ("^colou?r$", "colour", true), ("^a{2,3}$", "aaaa", false), ("^a{2,3}$", "aaa", true), ("^a{2}$", "aa", true),
        ("^a{2,}$", "aaaaaa", true), ("^[a-c]+$", "abcabc", true), ("^[a-c]+$", "abcd", false), ("^[^0-9]+$", "abc", true),
        ("^[^0-9]+$", "ab1", false), ("^\\d+$", "2024", true), ("^\\w+$", "a_b", true), ("^\\w+$", "a.b", false),
        ("^\\D\\W$", "a.", true), ("^dev\\.ops$", "dev.ops", true), ("^dev\\.ops$", "devxops", false),
        ("^(ab|cd)+$", "abcdab", true), ("^(ab|cd)+$", "abc", false), ("^(?:x|y)z$", "yz", true), ("^[A-Z]$", "q", true),
        ("^a.*?b$", "axxb", true), ("^[-.]+$", ".-.", true), ("^[a\\-z]+$", "-az", true), ("^[a\\-z]+$", "b", false),
        ("^(a*)*$", "aaaa", true), ("^(a|)+b$", "aab", true), ("x|^y", "yy", true), ("^\\+$", "+", true),
        ("^$", "", true), ("^[\\d.]+$", "1.2", true), ("^a\\s*b$", "ab", true),
    ] as [(String, String, Bool)])
    func matches(pattern: String, input: String, expected: Bool) throws {
        let compiled = try AliasPattern(pattern)
        #expect(compiled.evaluate(input) == (expected ? .match : .noMatch))
    }

    @Test("Unsupported or broken syntax is a typed error, never a crash", arguments: [
        "(", ")", "a)", "[abc", "[z-a]", "*", "+a", "a**", "a{", "a{x}", "a{3,2}", "a{65}", "\\1", "\\p{L}", "(?=a)",
        "(?<n>a)", "^*", "a\\", "ü", "]", "}", "(((((((((((((((((a)))))))))))))))))",
    ])
    func rejects(pattern: String) {
        #expect(throws: AliasStoreError.invalidPattern) { _ = try AliasPattern(pattern) }
    }

    @Test("Pattern length is bounded")
    func length() throws {
        #expect(throws: AliasStoreError.patternTooLong) { _ = try AliasPattern(String(repeating: "a", count: 129)) }
        _ = try AliasPattern(String(repeating: "a", count: 128))
        #expect(throws: AliasStoreError.invalidPattern) { _ = try AliasPattern("") }
    }

    @Test("Catastrophic backtracking stops at the step budget", arguments: ["^(a|aa)+$", "^(a*)*b$", "^(a+)+$", "(.*a){12}x"])
    func budget(pattern: String) throws {
        let compiled = try AliasPattern(pattern)
        let input = String(repeating: "a", count: 64)
        let outcome = compiled.evaluate(input + "!", stepBudget: 10_000)
        #expect(outcome == .budgetExceeded)
        // A budget large enough for the real work decides normally.
        #expect(compiled.evaluate("aaaa", stepBudget: 10_000) != .budgetExceeded)
    }

    @Test("Deep nesting is stopped before it can exhaust the stack")
    func depth() throws {
        let compiled = try AliasPattern("^((a?){64}){64}$")
        #expect(compiled.evaluate("b", stepBudget: 10_000_000) == .budgetExceeded)
    }
}

@Suite("Address syntax")
struct EmailAddressTests {
    @Test("Valid addresses parse and normalise their domain")
    func valid() throws {
        let address = try EmailAddress("Alice.Smith+tag@Bücher.EXAMPLE.")
        #expect(address.localPart == "Alice.Smith+tag")
        #expect(address.domain == "xn--bcher-kva.example")
        #expect(address.lookupKey == "alice.smith+tag@xn--bcher-kva.example")
        let longest = String(repeating: "l", count: 64) + "@" + [String](repeating: String(repeating: "d", count: 61), count: 3).joined(separator: ".") + ".org"
        #expect(longest.utf8.count == 254)
        _ = try EmailAddress(longest)
    }

    @Test("The ASCII fast path agrees with the full IDNA mapping", arguments: [
        "Example.ORG", "a-b.example.", "x.y.z.example", "xn--bcher-kva.example", "XN--BCHER-KVA.Example", "ab--cd.example",
        "-ab.example", "ab-.example", "a..example", ".example", "a_b.example", String(repeating: "a", count: 63) + ".example",
        String(repeating: "a", count: 64) + ".example", "xn--zz.example", "a.b.c.d.e.f.example", "x y.example", "bücher.example",
        "a.b-", "a-b-c.EXAMPLE", "abc.-example", "ex.ample..", "Ex.Ample.", "1a.example", "a.1b.example", "a.Xn--b.example",
        [String](repeating: String(repeating: "d", count: 63), count: 4).joined(separator: "."),
    ])
    func fastPath(domain: String) {
        let ours = try? EmailAddress.normalizeDomain(domain)
        let idna = try? DomainName.toASCII(domain)
        #expect(ours == idna, "\(domain)")
    }

    @Test("Invalid addresses are typed errors", arguments: [
        ("plain", AliasStoreError.invalidAddress), ("@example.org", .invalidLocalPart), ("a..b@example.org", .invalidLocalPart),
        (".a@example.org", .invalidLocalPart), ("a.@example.org", .invalidLocalPart), ("\"q\"@example.org", .invalidLocalPart),
        ("a b@example.org", .invalidLocalPart), ("a@", .invalidDomain), ("a@example", .invalidDomain), ("a@-x.org", .invalidDomain),
        ("a@[192.0.2.1]", .invalidDomain), ("a@x..org", .invalidDomain), ("a@1.2.3.4", .invalidDomain),
        // A mark that joins the "@" into one Character belongs to the domain, not to nothing.
        ("bob@\u{301}example.org", .invalidDomain), ("bob@\u{200D}example.org", .invalidDomain),
        (String(repeating: "l", count: 65) + "@example.org", .invalidLocalPart),
        (String(repeating: "l", count: 64) + "@" + [String](repeating: String(repeating: "d", count: 61), count: 3).joined(separator: ".") + ".orgs", .invalidAddress),
    ] as [(String, AliasStoreError)])
    func invalid(address: String, expected: AliasStoreError) {
        #expect(throws: expected) { _ = try EmailAddress(address) }
    }
}
