import CommunityMailMessage
import CommunityMailTestSupport
import DNSVerify
import Foundation
import Testing

@testable import MailAuth

/// The DMARC table (``DMARCCaseTable``) over an in-memory resolver, then the same cases
/// through PyPI authheaders where they overlap what it implements.
@Suite("DMARCEvaluator")
struct DMARCEvaluatorTests {
    /// An in-memory resolver holding the case's TXT records and failures.
    static func resolver(for testCase: DMARCCase) throws -> InMemoryDNSResolver {
        let resolver = InMemoryDNSResolver()
        for zone in DMARCCase.zones { try resolver.addZone(zone) }
        for (name, texts) in testCase.txt {
            for text in texts {
                let bytes = Array(text.utf8)
                let strings = stride(from: 0, to: bytes.count, by: 255).map { Array(bytes[$0..<min($0 + 255, bytes.count)]) }
                try resolver.add(name, .txt(strings))
            }
        }
        for name in testCase.failingNames { try resolver.scriptFailure(.serverFailure, for: name, type: .txt, times: 100) }
        return resolver
    }

    /// The message the case describes: its From fields and a fixed rest.
    static func message(for testCase: DMARCCase) -> String {
        let from = testCase.from.map { "From: \($0)\r\n" }.joined()
        return from + "To: bob@example.net\r\nSubject: DMARC case\r\nMessage-ID: <case@example.net>\r\n\r\nHello.\r\n"
    }

    static func evaluate(_ testCase: DMARCCase) async throws -> DMARCResult {
        var configuration = DMARCEvaluator.Configuration()
        let roll = testCase.roll
        configuration.percentageRoll = { roll }
        let evaluator = DMARCEvaluator(resolver: try resolver(for: testCase), publicSuffixList: .snapshot, configuration: configuration)
        let header = MailMessage(Array(message(for: testCase).utf8)).header
        let evidence = DMARCEvidence(
            spf: testCase.spf, dkim: DMARCEvidence.DKIM(passingDomains: testCase.dkim, temporaryErrorDomains: testCase.dkimTemporaryErrors))
        return await evaluator.evaluate(header: header, evidence: evidence)
    }

    @Test("the table has at least 30 cases, most of them shared with authheaders")
    func tableSize() {
        #expect(DMARCCaseTable.cases.count >= 30)
        #expect(DMARCCaseTable.cases.filter { $0.peerDifference == nil }.count >= 25)
        #expect(Set(DMARCCaseTable.cases.map(\.name)).count == DMARCCaseTable.cases.count)
    }

    @Test("each case gives the RFC 7489 result", arguments: DMARCCaseTable.cases)
    func table(_ testCase: DMARCCase) async throws {
        let result = try await Self.evaluate(testCase)
        #expect(result.status == testCase.status, "\(result.reason)")
        #expect(result.disposition == testCase.disposition)
        #expect(result.requestedPolicy == testCase.requested)
        #expect(result.alignedIdentifiers == testCase.aligned)
        #expect(result.usedOrganizationalDomainRecord == testCase.usedOrganizationalDomain)
        #expect(result.sampledOut == testCase.sampledOut)
        if result.status == .pass || result.status == .fail { #expect(result.record != nil && result.policyDomain != nil) }
        if testCase.aligned.contains(.dkim) { #expect(result.alignedDKIMDomain != nil) }
    }

    /// The Authentication-Results field authheaders is given as the SPF and DKIM results.
    static func previousResults(for testCase: DMARCCase) -> String? {
        var parts: [String] = []
        if let spf = testCase.spf {
            let word = switch spf.outcome {
            case .pass: "pass"
            case .temporaryError: "temperror"
            case .other: "fail"
            }
            parts.append("spf=\(word) smtp.mailfrom=bounce@\(spf.domain)")
        }
        if let domain = testCase.dkim.first {
            parts.append("dkim=pass header.d=\(domain)")
        } else if let domain = testCase.dkimTemporaryErrors.first {
            parts.append("dkim=temperror header.d=\(domain)")
        }
        return parts.isEmpty ? nil : "Authentication-Results: mx.example.net; " + parts.joined(separator: "; ")
    }

    @Test("authheaders agrees on every shared case (its field parsed by our parser)")
    func authheadersAgrees() async throws {
        guard TestPeers.shouldRun(DMARCPythonPeer.isAvailable) else { return }
        let shared = DMARCCaseTable.cases.filter { $0.peerDifference == nil }
        let request: [[String: Any]] = shared.map { testCase in
            var txt: [String: String] = [:]
            for (name, texts) in testCase.txt { txt[name] = texts.first }
            return ["message": Self.message(for: testCase), "prev": Self.previousResults(for: testCase) as Any, "txt": txt]
        }
        let answers = try #require(try await DMARCPythonPeer.run("dmarc", request) as? [[String: String]])
        try #require(answers.count == shared.count)
        for (testCase, answer) in zip(shared, answers) {
            let field = try #require(answer["header"], "\(testCase.name): authheaders failed: \(answer["error"] ?? "")")
            let value = String(field.drop { $0 != ":" }.dropFirst())
            let parsed = try AuthenticationResults(parsing: value)
            #expect(parsed.authservID == "peer.example")
            let dmarc = try #require(parsed.results.first { $0.method == "dmarc" }, "\(testCase.name): \(field)")
            #expect(dmarc.result == testCase.status.rawValue, "\(testCase.name): authheaders wrote \(field)")
            if testCase.status == .pass || testCase.status == .fail {
                #expect(dmarc.property("policy", "dmarc") == testCase.requested?.rawValue, "\(testCase.name): authheaders wrote \(field)")
            }
        }
    }

    @Test("the peer differences are real: authheaders answers otherwise where the table says so")
    func authheadersDiffersWhereDocumented() async throws {
        guard TestPeers.shouldRun(DMARCPythonPeer.isAvailable) else { return }
        // The one difference in policy choice worth pinning: sp applied to the
        // organisational domain's own mail.
        let testCase = try #require(DMARCCaseTable.cases.first { $0.name == "the organisational domain itself: p applies, not sp" })
        let request: [[String: Any]] = [["message": Self.message(for: testCase), "prev": NSNull(), "txt": ["_dmarc.example.com": "v=DMARC1; p=reject; sp=none"]]]
        let answers = try #require(try await DMARCPythonPeer.run("dmarc", request) as? [[String: String]])
        let field = try #require(answers.first?["header"])
        let parsed = try AuthenticationResults(parsing: String(field.drop { $0 != ":" }.dropFirst()))
        #expect(parsed.results.first { $0.method == "dmarc" }?.property("policy", "dmarc") == "none")
        #expect(try await Self.evaluate(testCase).requestedPolicy == .reject)
    }
}
