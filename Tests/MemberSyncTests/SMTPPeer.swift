import CommunityMailSystem
import CommunityMailTestSupport
import Foundation

/// aiosmtpd on a loopback port (Tests/Peers/aiosmtpd_recorder.py, recording the decoded
/// subject, From, body and notice too), optionally with
/// STARTTLS on a fresh self-signed certificate for `localhost`.
final class SMTPPeer: Sendable {
    let port: UInt16
    let folder: TemporaryDirectory
    let certificatePath: String?
    private let process: ChildProcess

    static let isAvailable: Bool = TestPeers.pythonHas(["aiosmtpd"]) && TestPeers.executable("openssl") != nil

    /// - Parameter injectsAfterSTARTTLS: run `starttls_injection_peer.py` instead, which
    ///   sends plaintext replies right after its `220` to STARTTLS (implies `tls`).
    /// - Parameter endlessGreeting: with `injectsAfterSTARTTLS`, greet with `220-` lines forever.
    init(tls: Bool, requireSTARTTLS: Bool = false, injectsAfterSTARTTLS: Bool = false, endlessGreeting: Bool = false) async throws {
        let tls = tls || injectsAfterSTARTTLS
        guard let python = TestPeers.python else { throw PeerError("no Python virtual environment; run Scripts/install-test-deps") }
        folder = try TemporaryDirectory(prefix: "smtp-peer")
        port = try ChildProcess.freePort()
        var arguments = [
            TestPeers.repositoryRoot.appendingPathComponent(
                injectsAfterSTARTTLS ? "Tests/MemberSyncTests/Peers/starttls_injection_peer.py" : "Tests/Peers/aiosmtpd_recorder.py").path,
            String(port), folder.url.path,
        ] + (injectsAfterSTARTTLS ? [] : ["--decoded"])
        if tls {
            let cert = folder.path("cert.pem"), key = folder.path("key.pem")
            guard let openssl = TestPeers.executable("openssl") else { throw PeerError("openssl is not installed") }
            let make = try ChildProcess(openssl, [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
            guard await make.exited() == 0 else { throw PeerError("openssl req failed:\n\(make.output)") }
            arguments += injectsAfterSTARTTLS ? [cert, key] + (endlessGreeting ? ["--endless-greeting"] : []) : ["--cert", cert, "--key", key]
            if requireSTARTTLS { arguments.append("--require-starttls") }
            certificatePath = cert
        } else {
            certificatePath = nil
        }
        process = try ChildProcess(python, arguments)
        try await process.waitForTCPPort(port)
    }

    struct Delivery: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
        var tls: Bool
        var subject: String
        var from: String
        var body: String
        var notice: String
    }

    /// The messages received so far (waits up to 10 s for `count` of them).
    func deliveries(waitingFor count: Int = 1) async throws -> [(delivery: Delivery, raw: Data)] {
        let start = ContinuousClock.now
        while true {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { $0.hasSuffix(".json") }.sorted()
            if names.count >= count || ContinuousClock.now - start > .seconds(10) {
                return try names.map { name in
                    let json = try Data(contentsOf: folder.url.appendingPathComponent(name))
                    let raw = try Data(contentsOf: folder.url.appendingPathComponent(name.replacingOccurrences(of: ".json", with: ".eml")))
                    return (try JSONDecoder().decode(Delivery.self, from: json), raw)
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
