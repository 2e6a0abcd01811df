import CommunityMailSystem
import CommunityMailTestSupport
import DNSVerify
import Foundation
import MailAuth
import Testing

/// The SPF council's test suites (`rfc7208-tests.yml`, and the older `rfc4408-tests.yml`,
/// from pyspf 2.0.14's source distribution, fetched into the test venv by
/// `Scripts/install-test-deps`): every test run against ``SPFVerifier`` over
/// ``SPFSuiteResolver`` (the zone data with the suite driver's rules). Any result the YAML
/// lists is accepted; where it gives an explanation, ours must equal it (`DEFAULT` when
/// the record has no usable `exp=`).
@Suite("SPF: the SPF council's test suites (RFC 7208, RFC 4408)")
struct SPFTestSuiteTests {
    static let suiteDirectory = TestPeers.virtualEnvironment.appendingPathComponent("test-data/pyspf-2.0.14")
    static let suiteFile = suiteDirectory.appendingPathComponent("rfc7208-tests.yml")
    static let converter = TestPeers.repositoryRoot.appendingPathComponent("Tests/MailAuthTests/Peers/spf_suite_to_json.py")

    struct Case {
        var scenario: String
        var name: String
        var host: String
        var mailFrom: String
        var helo: String
        var results: [String]
        var explanation: String?
    }

    /// A suite's scenarios as JSON (through the venv's python and pyyaml).
    static func loadScenarios(from suiteFile: URL = suiteFile) async throws -> [[String: Any]] {
        guard FileManager.default.fileExists(atPath: suiteFile.path) else {
            throw SuiteError("\(suiteFile.path) is missing: run Scripts/install-test-deps")
        }
        guard let python = TestPeers.python else { throw SuiteError("the test venv's python is missing") }
        let directory = try TemporaryDirectory()
        let output = directory.url.appendingPathComponent("suite.json")
        let (status, log) = try await ChildProcess.run(python, [converter.path, suiteFile.path, output.path])
        guard status == 0 else { throw SuiteError("converting the suite failed: \(log)") }
        let data = try await BlockingWork.run { try Data(contentsOf: output) }
        guard let scenarios = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw SuiteError("the suite is not a list of scenarios")
        }
        return scenarios
    }

    static func cases(in scenario: [String: Any]) throws -> [Case] {
        let title = scenario["description"] as? String ?? "?"
        guard let tests = scenario["tests"] as? [String: Any] else { throw SuiteError("\(title) has no tests") }
        return try tests.keys.sorted().map { name in
            guard let test = tests[name] as? [String: Any], let host = test["host"] as? String else {
                throw SuiteError("\(title)/\(name) is unreadable")
            }
            let results: [String]
            switch test["result"] {
            case let one as String: results = [one]
            case let many as [String]: results = many
            default: throw SuiteError("\(title)/\(name) has no result")
            }
            return Case(
                scenario: title, name: name, host: host, mailFrom: "\(test["mailfrom"] ?? "")", helo: "\(test["helo"] ?? "")",
                results: results, explanation: test["explanation"] as? String)
        }
    }

    @Test("RFC 7208 suite: 203 of 203 tests give a listed result and the expected explanation")
    func rfc7208() async throws {
        guard TestPeers.shouldRun(FileManager.default.fileExists(atPath: Self.suiteFile.path)) else { return }
        try await Self.run(Self.suiteFile, scenarios: 16, tests: 203)
    }

    @Test("RFC 4408 suite: 191 of 191 tests give a listed result and the expected explanation")
    func rfc4408() async throws {
        let file = Self.suiteDirectory.appendingPathComponent("rfc4408-tests.yml")
        guard TestPeers.shouldRun(FileManager.default.fileExists(atPath: file.path)) else { return }
        try await Self.run(file, scenarios: 15, tests: 191)
    }

    /// Runs every test of the suite in `file`, and reports each failure by scenario and name.
    static func run(_ file: URL, scenarios expectedScenarios: Int, tests expectedTests: Int) async throws {
        let scenarios = try await loadScenarios(from: file)
        #expect(scenarios.count == expectedScenarios)
        var failures: [String] = []
        var run = 0
        for scenario in scenarios {
            let resolver = try SPFSuiteResolver(zonedata: scenario["zonedata"] as? [String: Any] ?? [:])
            var configuration = SPFVerifier.Configuration()
            configuration.defaultExplanation = "DEFAULT"
            let verifier = SPFVerifier(resolver: resolver, configuration: configuration)
            for test in try cases(in: scenario) {
                run += 1
                let address = try DNSAddress(test.host)
                let result = await verifier.checkMailFrom(clientAddress: address, mailFrom: test.mailFrom, helo: test.helo)
                if !test.results.contains(result.verdict.rawValue) {
                    failures.append("\(test.scenario)/\(test.name): \(result.verdict.rawValue) (\(result.reason)), expected \(test.results)")
                } else if let expected = test.explanation, result.explanation != expected {
                    failures.append("\(test.scenario)/\(test.name): explanation \(result.explanation ?? "nil"), expected \(expected)")
                }
            }
        }
        #expect(run == expectedTests)
        #expect(failures.isEmpty, Comment(rawValue: "\(failures.count) of \(run) failed:\n" + failures.joined(separator: "\n")))
    }
}
