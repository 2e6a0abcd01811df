import CommunityMailTestSupport
import Foundation

/// The scripted IMAP4rev1 sessions of `Peers/imap_session.py` (Python's imaplib and PyPI's
/// imapclient, over STARTTLS with the test authority): its corpus, and its normalised
/// transcript against a server (Dovecot or ours).
enum IMAPPeerSessionScript {
    /// One step of the transcript.
    struct Step: Decodable, Equatable, CustomStringConvertible {
        /// What the step did (a command, or `check: ...` for a value the RFCs fix).
        var step: String
        /// The tagged status (OK, NO, BAD), or FAIL for a failed check.
        var status: String?
        /// The tagged response code, normalised.
        var code: String?
        /// The untagged responses, normalised (compared between servers).
        var responses: [String]
        /// Recorded, not compared (free text, server identification).
        var info: [String]
        /// Set when the status or a check is not what the RFCs ask.
        var unexpected: String?
        /// Set when the RFCs allow either status.
        var statusFree: Bool?

        var description: String {
            "\(step): \(status ?? "-") \(code ?? "") \(responses.joined(separator: " | ").prefix(600))"
        }

        /// What must be equal between two servers for this step.
        var compared: String {
            let status = statusFree == true ? "(either)" : (self.status ?? "-")
            return "\(step): \(status) \(code ?? "")\n" + responses.joined(separator: "\n")
        }
    }

    static let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/MailAccessTests/Peers/imap_session.py")

    /// True when the venv's python has imapclient.
    static var isAvailable: Bool { TestPeers.pythonHas(["imapclient"]) }

    /// The messages both servers hold in INBOX before the session, in UID order.
    static func corpus() async throws -> [DovecotIMAPServer.Message] {
        struct Entry: Decodable {
            var bytes: String
            var flags: [String]
            var date: Int
        }
        let output = try await runPython(["corpus"])
        return try JSONDecoder().decode([Entry].self, from: output).map {
            DovecotIMAPServer.Message(
                bytes: [UInt8](Data(base64Encoded: $0.bytes) ?? Data()), flags: $0.flags,
                internalDate: Date(timeIntervalSince1970: TimeInterval($0.date)))
        }
    }

    /// Runs both sessions against 127.0.0.1:`port` (STARTTLS, trusting `certificateAuthority`).
    static func run(port: UInt16, certificateAuthority: String) async throws -> [Step] {
        let folder = try TemporaryDirectory(prefix: "imap-session")
        let configuration = folder.path("config.json")
        let settings: [String: Any] = [
            "host": "127.0.0.1", "port": Int(port), "cafile": certificateAuthority, "user": DovecotIMAPServer.user,
            "password": DovecotIMAPServer.password,
        ]
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: configuration))
        return try JSONDecoder().decode([Step].self, from: try await runPython(["run", configuration]))
    }

    private static func runPython(_ arguments: [String]) async throws -> Data {
        guard let python = TestPeers.python else { throw PeerError("no venv python (imapclient)") }
        let folder = try TemporaryDirectory(prefix: "imap-session-out")
        let output = folder.path("out.json")
        let (status, log) = try await ChildProcess.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "\"$0\" \"$@\" > \"\(output)\"", python.path, script.path] + arguments)
        guard status == 0 else { throw PeerError("imap_session.py \(arguments.first ?? "") failed (\(status)): \(log)") }
        return try Data(contentsOf: URL(fileURLWithPath: output))
    }
}
