import CommunityMailTestSupport
import Testing

@testable import MailAuth

/// ``DMARCResult/authenticationResult``: the method result we write for DMARC.
@Suite("DMARCResult as Authentication-Results")
struct DMARCAuthenticationResultTests {
    @Test("dmarc=<status> header.from=<domain> (p= sp= dis=), readable by our parser and by authres")
    func methodResult() async throws {
        let failing = try #require(DMARCCaseTable.cases.first { $0.name == "pct=0: reject becomes quarantine" })
        let result = try await DMARCEvaluatorTests.evaluate(failing)
        let field = AuthenticationResults(authservID: "mx.example.net", results: [result.authenticationResult])
        #expect(field.valueText() == "mx.example.net; dmarc=fail (p=reject sp=reject dis=quarantine) header.from=example.com")
        let permerror = try await DMARCEvaluatorTests.evaluate(try #require(DMARCCaseTable.cases.first { $0.status == .permerror }))
        #expect(AuthenticationResults(authservID: "mx.example.net", results: [permerror.authenticationResult]).valueText()
            == "mx.example.net; dmarc=permerror")
        guard TestPeers.shouldRun(DMARCPythonPeer.isAvailable) else { return }
        let parsed = try #require(try await DMARCPythonPeer.run("ar-parse", [field.valueText()]) as? [[String: Any]])
        let results = try #require(parsed.first?["results"] as? [[String: Any]])
        #expect(results.first?["method"] as? String == "dmarc")
        #expect(results.first?["result"] as? String == "fail")
        #expect((results.first?["properties"] as? [[String]])?.first == ["header", "from", "example.com"])
    }
}
