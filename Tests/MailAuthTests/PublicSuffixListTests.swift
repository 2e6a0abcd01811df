import CommunityMailTestSupport
import Foundation
import Testing

@testable import MailAuth

/// The Public Suffix List: the list's algorithm on known answers (cases written here in the
/// manner of the PSL project's own test file), the sections, the sources, hostile text, and
/// every rule of Debian's list compared with two independent Python implementations and
/// with libpsl (Debian's `psl` tool).
@Suite("PublicSuffixList")
struct PublicSuffixListTests {
    /// `(domain, public suffix, registrable domain)`, answers read off the list's rules.
    static let knownAnswers: [(String, String?, String?)] = [
        // Not domain names.
        ("", nil, nil), (".com", nil, nil), ("example..com", nil, nil), ("exa mple.com", nil, nil),
        // Case does not matter; a trailing dot is ignored.
        ("COM", "com", nil), ("Example.COM", "com", "example.com"), ("WwW.Example.COM.", "com", "example.com"),
        // A TLD not on the list: the implicit "*" rule.
        ("example", "example", nil), ("example.example", "example", "example.example"),
        ("b.example.example", "example", "example.example"), ("a.b.example.example", "example", "example.example"),
        // A listed TLD.
        ("biz", "biz", nil), ("domain.biz", "biz", "domain.biz"), ("a.b.domain.biz", "biz", "domain.biz"),
        // Two-level rules.
        ("uk.com", "uk.com", nil), ("example.uk.com", "uk.com", "example.uk.com"), ("b.example.uk.com", "uk.com", "example.uk.com"),
        ("ac.jp", "ac.jp", nil), ("test.ac.jp", "ac.jp", "test.ac.jp"), ("www.test.ac.jp", "ac.jp", "test.ac.jp"),
        // Wildcards without a rule for the parent (which the wildcard makes a suffix).
        ("mm", "mm", nil), ("c.mm", "c.mm", nil), ("kawasaki.jp", "kawasaki.jp", nil), ("b.c.mm", "c.mm", "b.c.mm"), ("a.b.c.mm", "c.mm", "b.c.mm"),
        // Wildcards with exceptions.
        ("test.kawasaki.jp", "test.kawasaki.jp", nil), ("b.test.kawasaki.jp", "test.kawasaki.jp", "b.test.kawasaki.jp"),
        ("city.kawasaki.jp", "kawasaki.jp", "city.kawasaki.jp"), ("www.city.kawasaki.jp", "kawasaki.jp", "city.kawasaki.jp"),
        ("test.ck", "test.ck", nil), ("b.test.ck", "test.ck", "b.test.ck"), ("www.ck", "ck", "www.ck"), ("www.www.ck", "ck", "www.ck"),
        // Deep rules.
        ("k12.ak.us", "k12.ak.us", nil), ("test.k12.ak.us", "k12.ak.us", "test.k12.ak.us"), ("www.test.k12.ak.us", "k12.ak.us", "test.k12.ak.us"),
        // Private section.
        ("github.io", "github.io", nil), ("alice.github.io", "github.io", "alice.github.io"), ("www.alice.github.io", "github.io", "alice.github.io"),
        // IDNA: U-labels and A-labels give the same answers, in A-label form.
        ("食狮.com.cn", "com.cn", "xn--85x722f.com.cn"), ("食狮.公司.cn", "xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
        ("www.食狮.公司.cn", "xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"), ("shishi.公司.cn", "xn--55qx5d.cn", "shishi.xn--55qx5d.cn"),
        ("公司.cn", "xn--55qx5d.cn", nil), ("xn--85x722f.xn--55qx5d.cn", "xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
        ("www.xn--85x722f.xn--55qx5d.cn", "xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"), ("xn--55qx5d.cn", "xn--55qx5d.cn", nil),
    ]

    @Test("known answers, from the compiled-in snapshot and from Debian's copy", arguments: [false, true])
    func knownAnswers(useSystemCopy: Bool) async throws {
        let list = useSystemCopy ? try await PublicSuffixList.load(.file(path: PublicSuffixList.systemListPath)) : PublicSuffixList.snapshot
        for (domain, suffix, registrable) in Self.knownAnswers {
            #expect(list.publicSuffix(of: domain) == suffix, "public suffix of \(domain)")
            #expect(list.registrableDomain(of: domain) == registrable, "registrable domain of \(domain)")
            if let registrable { #expect(list.organizationalDomain(of: domain) == registrable, "organisational domain of \(domain)") }
        }
        // A public suffix is its own organisational domain (RFC 7489 section 3.2 adds no label).
        #expect(list.organizationalDomain(of: "co.uk") == "co.uk")
        #expect(list.organizationalDomain(of: "mail.example.co.uk") == "example.co.uk")
        #expect(list.organizationalDomain(of: "") == nil)
    }

    @Test("the ICANN section alone makes hosting customers one organisation; both sections keep them apart")
    func sections() async throws {
        var icannOnly = PublicSuffixList.Configuration()
        icannOnly.sections = [.icann]
        let icann = try await PublicSuffixList.load(.snapshot, configuration: icannOnly)
        #expect(icann.organizationalDomain(of: "alice.github.io") == "github.io")
        #expect(icann.organizationalDomain(of: "www.example.co.uk") == "example.co.uk")
        #expect(PublicSuffixList.snapshot.organizationalDomain(of: "alice.github.io") == "alice.github.io")
        #expect(icann.ruleCount < PublicSuffixList.snapshot.ruleCount)
    }

    @Test("the list format: comments, text after white space, wildcards, exceptions, section markers, bad lines skipped")
    func format() throws {
        let text = """
            // a comment line
            // ===BEGIN ICANN DOMAINS===
            example   this text after white space is ignored
              // an indented comment
            *.wild.example
            !keep.wild.example
            ex..ample
            Uppercase.Example
            // ===END ICANN DOMAINS===
            // ===BEGIN PRIVATE DOMAINS===
            hosting.example\r
            // ===END PRIVATE DOMAINS===
            """
        let list = try PublicSuffixList(text: text)
        #expect(list.ruleCount == 5)
        #expect(list.ignoredLineCount == 1)
        #expect(list.registrableDomain(of: "a.b.wild.example") == "a.b.wild.example")
        #expect(list.registrableDomain(of: "x.keep.wild.example") == "keep.wild.example")
        #expect(list.registrableDomain(of: "a.uppercase.example") == "a.uppercase.example")
        #expect(list.registrableDomain(of: "alice.hosting.example") == "alice.hosting.example")
        var icann = PublicSuffixList.Configuration()
        icann.sections = [.icann]
        #expect(try PublicSuffixList(text: text, configuration: icann).registrableDomain(of: "alice.hosting.example") == "hosting.example")
    }

    @Test("hostile or empty list text gives typed errors; a missing file too")
    func hostileText() async throws {
        #expect(throws: MailAuthError.invalidRecord) { try PublicSuffixList(text: "") }
        #expect(throws: MailAuthError.invalidRecord) { try PublicSuffixList(text: "// only\n// comments\n") }
        var small = PublicSuffixList.Configuration()
        small.maximumTextLength = 1000
        #expect(throws: MailAuthError.limitExceeded) { try PublicSuffixList(text: String(repeating: "com\n", count: 300), configuration: small) }
        let directory = try TemporaryDirectory()
        await #expect(throws: MailAuthError.invalidArgument) { try await PublicSuffixList.load(.file(path: directory.path("missing.dat"))) }
        let big = directory.path("big.dat")
        try Data(repeating: UInt8(ascii: "a"), count: 2000).write(to: URL(fileURLWithPath: big))
        await #expect(throws: MailAuthError.limitExceeded) { try await PublicSuffixList.load(.file(path: big), configuration: small) }
        // Random bytes: no crash, a list or a typed error.
        var random = SplitMix64(seed: 7)
        for _ in 0..<50 {
            let bytes = (0..<2000).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let list = try? PublicSuffixList(text: String(decoding: bytes, as: UTF8.self))
            _ = list?.organizationalDomain(of: "a.b.example.com")
        }
        // Long names and many labels are answered (or refused) without trouble.
        let list = PublicSuffixList.snapshot
        #expect(list.publicSuffix(of: String(repeating: "a.", count: 120) + "com") == "com")
        #expect(list.publicSuffix(of: String(repeating: "a", count: 100_000) + ".com") == nil)
    }

    @Test("the snapshot is Debian's copy of the list, and the system source reads it")
    func sources() async throws {
        let system = try await PublicSuffixList.load(.file(path: PublicSuffixList.systemListPath))
        let preferred = try await PublicSuffixList.load()
        #expect(system.ruleCount > 9000)
        #expect(preferred.ruleCount == system.ruleCount)
        #expect(PublicSuffixList.snapshot.ruleCount == system.ruleCount)
        #expect(PublicSuffixList.snapshot.ignoredLineCount == 0)
        #expect(PublicSuffixList.snapshot.exactRules == system.exactRules)
        #expect(PublicSuffixList.snapshotText.hasPrefix("// This Source Code Form is subject to the terms of the Mozilla Public"))
    }

    /// Names made from every rule of the list: the rule's name, one and two labels more,
    /// wildcards filled in, exceptions and their parents.
    static func domainsFromEveryRule(_ list: PublicSuffixList) -> [String] {
        var domains: [String] = []
        for rule in list.exactRules.sorted() { domains += [rule, "x.\(rule)", "y.x.\(rule)"] }
        for parent in list.wildcardParents.sorted() { domains += [parent, "w.\(parent)", "x.w.\(parent)", "y.x.w.\(parent)"] }
        for exception in list.exceptionRules.sorted() { domains += [exception, "x.\(exception)", "y.x.\(exception)"] }
        return domains + ["example", "a.example", "a.b.example"]
    }

    @Test("every rule of Debian's list gives publicsuffixlist's answers (and publicsuffix2's for listed TLDs)")
    func pythonImplementationsAgree() async throws {
        guard TestPeers.shouldRun(DMARCPythonPeer.isAvailable) else { return }
        let list = try await PublicSuffixList.load(.file(path: PublicSuffixList.systemListPath))
        let domains = Self.domainsFromEveryRule(list)
        let answer = try await DMARCPythonPeer.run("psl", ["list": PublicSuffixList.systemListPath, "domains": domains])
        let answers = try #require(answer as? [[String: [Any]]])
        try #require(answers.count == domains.count)
        var disagreements: [String] = []
        var secondCompared = 0
        for (domain, peer) in zip(domains, answers) {
            let ours = [list.publicSuffix(of: domain), list.registrableDomain(of: domain)]
            let first = (peer["publicsuffixlist"] ?? []).map { $0 as? String }
            if first != ours { disagreements.append("\(domain): ours \(ours), publicsuffixlist \(first)") }
            // publicsuffix2 answers a name under an unlisted TLD with the TLD and gives a
            // suffix itself as its "public suffix" (registrable) domain: compare where it
            // follows the list's algorithm, that is below listed suffixes.
            let second = (peer["publicsuffix2"] ?? []).map { $0 as? String }
            if let registrable = ours[1], list.exactRules.contains(String(domain.split(separator: ".").last ?? "")) {
                secondCompared += 1
                if second != [ours[0], registrable] { disagreements.append("\(domain): ours \(ours), publicsuffix2 \(second)") }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, first: \(disagreements.prefix(10))")
        #expect(domains.count > 25_000)
        #expect(secondCompared > 15_000)
    }

    @Test("every rule of Debian's list gives libpsl's answers (Debian's psl tool, the same list file)")
    func libpslAgrees() async throws {
        guard TestPeers.shouldRun(TestPeers.executable("psl") != nil) else { return }
        let psl = try #require(TestPeers.executable("psl"), "psl is not installed (Scripts/peers/mailauth.apt)")
        let list = try await PublicSuffixList.load(.file(path: PublicSuffixList.systemListPath))
        let domains = Self.domainsFromEveryRule(list)
        let directory = try TemporaryDirectory(prefix: "psl")
        let input = directory.path("domains.txt")
        try domains.joined(separator: "\n").appending("\n").write(toFile: input, atomically: true, encoding: .utf8)
        var answers: [[String?]] = []
        for option in ["--print-unreg-domain", "--print-reg-domain"] {
            let output = directory.path("answers\(option).txt")
            let command = "\"$0\" --load-psl-file \"$1\" \(option) -b < \"$2\" > \"$3\""
            let (status, log) = try await ChildProcess.run(
                URL(fileURLWithPath: "/bin/sh"), ["-c", command, psl.path, PublicSuffixList.systemListPath, input, output])
            try #require(status == 0, "psl failed: \(log)")
            let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            answers.append(lines.prefix(domains.count).map { $0 == "(null)" ? nil : String($0) })
        }
        try #require(answers.allSatisfy { $0.count == domains.count })
        var disagreements: [String] = []
        for (index, domain) in domains.enumerated() {
            let ours = [list.publicSuffix(of: domain), list.registrableDomain(of: domain)]
            let theirs = [answers[0][index], answers[1][index]]
            if ours != theirs { disagreements.append("\(domain): ours \(ours), libpsl \(theirs)") }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, first: \(disagreements.prefix(10))")
    }
}
