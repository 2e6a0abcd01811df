import CommunityMailTestSupport
import Foundation

/// The Python libraries the MailAuth tests compare with, asked through
/// `Peers/mailauth_peer.py` (one child process per call, JSON in and out): authheaders
/// (DMARC), authres (Authentication-Results) and publicsuffixlist/publicsuffix2 (the list).
enum DMARCPythonPeer {
    static let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/MailAuthTests/Peers/mailauth_peer.py")

    /// True when the venv's python has every library the script imports.
    static var isAvailable: Bool { TestPeers.pythonHas(["authheaders", "authres", "publicsuffixlist", "publicsuffix2"]) }

    /// Runs `command` with `request` (any JSON value) and returns the decoded answer.
    static func run(_ command: String, _ request: Any) async throws -> Any {
        guard let python = TestPeers.python else { throw PeerError("the test venv has no python (COMMUNITYMAIL_VENV)") }
        let directory = try TemporaryDirectory(prefix: "mailauth-peer")
        let input = directory.url.appendingPathComponent("input.json")
        let output = directory.url.appendingPathComponent("output.json")
        try JSONSerialization.data(withJSONObject: request).write(to: input)
        let (status, log) = try await ChildProcess.run(python, [script.path, command, input.path, output.path])
        guard status == 0, let data = try? Data(contentsOf: output) else { throw PeerError("mailauth_peer.py \(command) failed: \(log)") }
        return try JSONSerialization.jsonObject(with: data)
    }
}
