import CommunityMailTestSupport
import DNSVerify
import Foundation
import Testing

/// `Examples/verify-domain` as a user runs it, against NSD: exit status and JSON.
/// Runs when the example has been built (`swift build`, which `Scripts/test` runs first).
@Suite("verify-domain example against NSD",
       .enabled(if: VerifyDomainBinary.url != nil && TestPeers.shouldRun(LocalDNSServer.executable != nil)))
struct VerifyDomainExampleTests {
    static let zone = """
        $ORIGIN good.test.
        $TTL 300
        @ IN SOA ns1 hostmaster 1 3600 600 86400 60
        @ IN NS ns1
        ns1 IN A 127.0.0.1
        @ IN TXT "forward-email-site-verification=" "tok"
        @ IN TXT "v=spf1 include:spf.forwardemail.net -all"
        @ IN MX 10 mx1.forwardemail.net.
        @ IN MX 20 mx2.forwardemail.net.
        _dmarc IN TXT "v=DMARC1; p=none; pct=10"
        fe-bounces IN CNAME forwardemail.net.

        """

    /// Runs the example off Swift's cooperative threads (see BlockingWork).
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await BlockingWork.run { try runBlocking(arguments) }
    }

    static func runBlocking(_ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let executable = VerifyDomainBinary.url else { throw PeerError("verify-domain is not built") }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try ChildProcess.launch(process)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test("exit 0 when all pass, 1 when one fails, 2 when DNS does not answer; JSON lists the checks")
    func exitStatuses() async throws {
        let server = try await LocalDNSServer(zones: [("good.test", Self.zone)])
        defer { server.stop() }
        let nameserver = "127.0.0.1:\(server.port)"
        let pass = try await Self.run(["good.test", "--token", "tok", "--nameserver", nameserver, "--return-path", "fe-bounces"])
        #expect(pass.status == 0, "\(pass.output)")
        let failing = try await Self.run(["good.test", "--token", "wrong", "--nameserver", nameserver, "--json"])
        #expect(failing.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(failing.output.utf8)) as? [String: Any]
        #expect(report?["status"] as? String == "fail")
        let checks = report?["checks"] as? [[String: Any]] ?? []
        #expect(checks.map { $0["kind"] as? String } == ["verification", "mx", "spf", "dmarc"])
        #expect((checks.last?["details"] as? [String: String])?["pct"] == "10")

        let silent = try ScriptedDNSResponder { _ in [] }
        defer { silent.stop() }
        let unsure = try await Self.run(["good.test", "--token", "tok", "--nameserver", "127.0.0.1:\(silent.port)"])
        #expect(unsure.status == 2)
        #expect(unsure.output.contains("indeterminate"))
        #expect(try await Self.run(["good.test"]).status == 64)
    }
}

/// Where `swift build` puts the example.
enum VerifyDomainBinary {
    static var url: URL? { TestPeers.builtExecutable("verify-domain") }
}
