import CommunityMailSystem
import CommunityMailTestSupport
import DNSVerify
import Foundation
import Testing

@testable import MailAuth

/// DMARC policy discovery against a real authoritative server (NSD on loopback) through
/// DNSVerify's stub resolver, compared with checkdmarc's discovery against the same server.
///
/// checkdmarc follows DMARCbis (RFC 9989: a DNS tree walk) where we follow RFC 7489 (the
/// organisational domain from the Public Suffix List); the names below are chosen where
/// both must find the same record.
@Suite("DMARC discovery over NSD", .enabled(if: TestPeers.shouldRun(LocalDNSServer.executable != nil)))
struct DMARCDiscoveryNSDTests {
    static let zones: [(origin: String, text: String)] = [
        ("com", """
            $ORIGIN com.
            $TTL 300
            @ IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 60
            @ IN NS ns1.example.com.
            ns1.example IN A 127.0.0.1
            example IN A 192.0.2.1
            _dmarc.example IN TXT "v=DMARC1; p=reject; sp=quarantine; pct=50; adkim=s; aspf=r; rua=mailto:dmarc@example.com"
            mail.example IN A 192.0.2.2
            a.b.mail.example IN A 192.0.2.3
            own.example IN A 192.0.2.4
            _dmarc.own.example IN TXT "v=DMARC1; p=none"
            x.own.example IN A 192.0.2.5
            two.example IN A 192.0.2.6
            _dmarc.two.example IN TXT "v=DMARC1; p=none"
            _dmarc.two.example IN TXT "v=DMARC1; p=reject"
            noisy.example IN A 192.0.2.7
            _dmarc.noisy.example IN TXT "v=spf1 -all"
            _dmarc.noisy.example IN TXT "v=DMARC1; p=quarantine; " "adkim=s"

            """),
        ("uk", """
            $ORIGIN uk.
            $TTL 300
            @ IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 60
            @ IN NS ns1.example.com.
            example.co IN A 192.0.2.8
            _dmarc.example.co IN TXT "v=DMARC1; p=quarantine; aspf=s"
            mail.example.co IN A 192.0.2.9

            """),
        ("net", """
            $ORIGIN net.
            $TTL 300
            @ IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 60
            @ IN NS ns1.example.com.
            nothing.example IN A 192.0.2.10

            """),
    ]

    /// `(From domain, where the record is, or nil for none)`.
    static let expectations: [(String, String?)] = [
        ("example.com", "example.com"), ("mail.example.com", "example.com"), ("a.b.mail.example.com", "example.com"),
        ("own.example.com", "own.example.com"), ("x.own.example.com", "example.com"), ("noisy.example.com", "noisy.example.com"),
        ("mail.example.co.uk", "example.co.uk"), ("example.co.uk", "example.co.uk"), ("nothing.example.net", nil),
        ("two.example.com", nil),
    ]

    @Test("our discovery through the stub resolver and checkdmarc's find the same records and read the same tags")
    func sameRecords() async throws {
        let server = try await LocalDNSServer(zones: Self.zones)
        defer { server.stop() }
        var configuration = DNSStubResolver.Configuration()
        configuration.nameservers = [DNSNameserver(address: .loopbackIPv4, port: server.port)]
        configuration.timeout = .seconds(30)
        let evaluator = DMARCEvaluator(resolver: try DNSStubResolver(configuration: configuration), publicSuffixList: .snapshot)

        var ours: [String: DMARCPolicyDiscovery] = [:]
        for (domain, location) in Self.expectations {
            let discovery = await evaluator.discoverPolicy(for: domain)
            ours[domain] = discovery
            switch discovery {
            case .found(_, let found, let organizational):
                #expect(found == location, "\(domain)")
                #expect(organizational == (found != domain), "\(domain)")
            case .multipleRecords:
                #expect(domain == "two.example.com")
            case .none:
                #expect(location == nil, "\(domain)")
            case .temporaryError(let status):
                Issue.record("\(domain): temporary error \(status)")
            }
        }
        guard TestPeers.shouldRun(TestPeers.pythonHas(["checkdmarc"])) else { return }
        let domains = Self.expectations.map(\.0)
        let answer = try await DMARCPythonPeer.run("checkdmarc", ["port": Int(server.port), "domains": domains])
        let answers = try #require(answer as? [[String: Any]])
        try #require(answers.count == domains.count)
        for (domain, theirs) in zip(domains, answers) {
            switch ours[domain] {
            case .found(let record, let location, _):
                #expect(theirs["location"] as? String == location, "\(domain): checkdmarc \(theirs)")
                let tags = theirs["tags"] as? [String: String] ?? [:]
                #expect(tags["p"] == record.policy.rawValue, "\(domain): \(theirs)")
                #expect(tags["sp"] == (record.subdomainPolicy ?? record.policy).rawValue, "\(domain): \(theirs)")
                // DMARCbis dropped pct; checkdmarc 6 no longer reports it (older ones did).
                if let pct = tags["pct"] { #expect(pct == String(record.percentage), "\(domain): \(theirs)") }
                #expect(tags["adkim"] == record.dkimAlignment.rawValue, "\(domain): \(theirs)")
                #expect(tags["aspf"] == record.spfAlignment.rawValue, "\(domain): \(theirs)")
            case .multipleRecords:
                #expect(theirs["error"] as? String == "MultipleDMARCRecords", "\(domain): checkdmarc \(theirs)")
            default:
                #expect(theirs["error"] as? String != nil && theirs["location"] == nil, "\(domain): checkdmarc \(theirs)")
            }
        }
    }
}
