import CommunityMailSystem
import CommunityMailTestSupport
import DNSVerify
import Foundation
import MailAuth
import Testing

/// The same SPF checks through ``SPFVerifier`` (over ``DNSStubResolver``) and through
/// pyspf 2.0.14 (PyPI, over dnspython), both asking NSD on loopback for the same zones:
/// every verdict, and the explanation of each fail, must agree.
@Suite("SPF: interop with pyspf over NSD", .enabled(if: TestPeers.shouldRun(LocalDNSServer.executable != nil && TestPeers.pythonHas(["spf", "dns.resolver"]))))
struct SPFPyspfInteropTests {
    static let peer = TestPeers.repositoryRoot.appendingPathComponent("Tests/MailAuthTests/Peers/spf_peer.py")

    static let zone = """
        $ORIGIN spf.test.
        $TTL 300
        @        IN SOA ns1 hostmaster 1 3600 600 86400 60
        @        IN NS  ns1
        ns1      IN A   127.0.0.1
        pass     IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
        soft     IN TXT "v=spf1 ip4:198.51.100.1 ~all"
        mx       IN TXT "v=spf1 mx/24//64 -all"
        mx       IN MX  10 mail1
        mx       IN MX  20 mail2
        mail1    IN A   192.0.2.10
        mail2    IN A   203.0.113.5
        mail2    IN AAAA 2001:db8::25
        a        IN TXT "v=spf1 a:host.spf.test//64 -all"
        host     IN A   198.51.100.7
        host     IN AAAA 2001:db8:1::1
        inc      IN TXT "v=spf1 include:pass.spf.test include:soft.spf.test ?all"
        redir    IN TXT "v=spf1 redirect=pass.spf.test"
        exists   IN TXT "v=spf1 exists:%{ir}.bl.spf.test -all"
        1.2.0.192.bl IN A 127.0.0.2
        ptr      IN TXT "v=spf1 ptr:spf.test -all"
        ptrhost  IN A   192.0.2.1
        exp      IN TXT "v=spf1 ip4:192.0.2.200 -all exp=why.spf.test"
        why      IN TXT "%{i} is not one of %{d}'s senders (%{l}, %{v}, %{d2r})"
        two      IN TXT "v=spf1 -all"
        two      IN TXT "v=spf1 +all"
        bad      IN TXT "v=spf1 ip4:192.0.2.0/33 -all"
        void     IN TXT "v=spf1 a:n1.spf.test a:n2.spf.test a:n3.spf.test -all"
        loop     IN TXT "v=spf1 include:loop.spf.test -all"
        macro    IN TXT "v=spf1 exists:%{l1r-}.user.%{d2} -all"
        bob.user IN A   127.0.0.2
        helo     IN TXT "v=spf1 a -all"
        helo     IN A   192.0.2.50

        """
    static let reverse = """
        $ORIGIN 2.0.192.in-addr.arpa.
        $TTL 300
        @   IN SOA ns1.spf.test. hostmaster.spf.test. 1 3600 600 86400 60
        @   IN NS  ns1.spf.test.
        1   IN PTR other.spf.test.
        1   IN PTR ptrhost.spf.test.
        1   IN PTR third.spf.test.

        """

    /// (client, MAIL FROM, HELO). Not here: a single-label domain, which RFC 7208 section 4.3
    /// makes `none` at once (the suite's `helo-not-fqdn` pins it) and pyspf sends to DNS.
    static let cases: [(String, String, String)] = [
        ("192.0.2.1", "a@pass.spf.test", "x.example"), ("203.0.113.9", "a@pass.spf.test", "x.example"),
        ("198.51.100.1", "a@soft.spf.test", "x.example"), ("203.0.113.9", "a@soft.spf.test", "x.example"),
        ("192.0.2.77", "a@mx.spf.test", "x.example"), ("203.0.113.200", "a@mx.spf.test", "x.example"),
        ("2001:db8::99", "a@mx.spf.test", "x.example"), ("198.51.100.1", "a@mx.spf.test", "x.example"),
        ("2001:db8:1::ffff", "a@a.spf.test", "x.example"), ("198.51.100.8", "a@a.spf.test", "x.example"),
        ("198.51.100.7", "a@a.spf.test", "x.example"), ("::ffff:198.51.100.7", "a@a.spf.test", "x.example"),
        ("192.0.2.1", "a@inc.spf.test", "x.example"), ("198.51.100.1", "a@inc.spf.test", "x.example"),
        ("10.0.0.1", "a@inc.spf.test", "x.example"), ("192.0.2.1", "a@redir.spf.test", "x.example"),
        ("10.0.0.1", "a@redir.spf.test", "x.example"), ("192.0.2.1", "a@exists.spf.test", "x.example"),
        ("192.0.2.2", "a@exists.spf.test", "x.example"), ("192.0.2.1", "a@ptr.spf.test", "x.example"),
        ("192.0.2.2", "a@ptr.spf.test", "x.example"), ("192.0.2.1", "sales@exp.spf.test", "x.example"),
        ("2001:db8::1", "sales@exp.spf.test", "x.example"), ("192.0.2.1", "a@two.spf.test", "x.example"),
        ("192.0.2.1", "a@bad.spf.test", "x.example"), ("192.0.2.1", "a@void.spf.test", "x.example"),
        ("192.0.2.1", "a@loop.spf.test", "x.example"), ("192.0.2.1", "a@nothing.spf.test", "x.example"),
        ("192.0.2.1", "alice-bob@macro.spf.test", "x.example"), ("192.0.2.1", "bob-alice@macro.spf.test", "x.example"),
        ("192.0.2.50", "", "helo.spf.test"), ("192.0.2.51", "", "helo.spf.test"),
        ("2001:db8::1", "a@pass.spf.test", "x.example"),
    ]

    @Test("verdicts and explanations agree with pyspf for 33 checks")
    func sameAsPyspf() async throws {
        guard let python = TestPeers.python, TestPeers.pythonHas(["spf", "dns.resolver"]) else {
            Issue.record("pyspf and dnspython are not in the test venv: run Scripts/install-test-deps")
            return
        }
        let server = try await LocalDNSServer(zones: [("spf.test", Self.zone), ("2.0.192.in-addr.arpa", Self.reverse)])
        defer { server.stop() }
        var resolverConfiguration = DNSStubResolver.Configuration(
            nameservers: [DNSNameserver(address: .loopbackIPv4, port: server.port)])
        resolverConfiguration.timeout = .seconds(30)
        var configuration = SPFVerifier.Configuration()
        configuration.defaultExplanation = "DEFAULT"
        // The 20 s limit runs on the real clock, over a check's many lookups: a loaded
        // machine must not turn a verdict into a temperror (SPFVerifierTests covers the limit).
        configuration.timeLimit = .seconds(600)
        let verifier = SPFVerifier(resolver: try DNSStubResolver(configuration: resolverConfiguration), configuration: configuration)

        let directory = try TemporaryDirectory()
        let input = directory.url.appendingPathComponent("cases.json")
        let output = directory.url.appendingPathComponent("answers.json")
        let json = try JSONSerialization.data(withJSONObject: Self.cases.map { ["ip": $0.0, "mailfrom": $0.1, "helo": $0.2] })
        try await BlockingWork.run { try json.write(to: input) }
        let (status, log) = try await ChildProcess.run(python, [Self.peer.path, String(server.port), input.path, output.path])
        try #require(status == 0, "pyspf failed: \(log)")
        let data = try await BlockingWork.run { try Data(contentsOf: output) }
        let answers = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: String]])
        try #require(answers.count == Self.cases.count)

        var verdicts: Set<String> = []
        for (index, (client, mailFrom, helo)) in Self.cases.enumerated() {
            let ours = await verifier.checkMailFrom(clientAddress: try DNSAddress(client), mailFrom: mailFrom, helo: helo)
            let theirs = answers[index]
            verdicts.insert(ours.verdict.rawValue)
            #expect(ours.verdict.rawValue == theirs["result"], "case \(index) (\(mailFrom), \(client)): \(ours.reason)")
            if ours.verdict == .fail {
                #expect(ours.explanation == theirs["explanation"], "case \(index)")
            }
        }
        // The cases reach every verdict but temperror (which needs a failing server).
        #expect(verdicts == ["pass", "fail", "softfail", "neutral", "none", "permerror"])
    }
}
