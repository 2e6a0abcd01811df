import CommunityMailTestSupport
import Foundation

/// dkimpy, driven through `Peers/dkim_peer.py`: one python process signs or verifies a whole
/// batch (its `dnsfunc` answers from the key table given).
enum DKIMPeer {
    static let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/MailAuthTests/Peers/dkim_peer.py")

    /// True when the test venv's python has dkimpy and pynacl (for Ed25519).
    static var isAvailable: Bool { TestPeers.pythonHas(["dkim", "nacl"]) }

    /// One thing for dkimpy to do.
    enum Task {
        /// Sign `message`; the answer is the DKIM-Signature field's bytes (or an error).
        case sign(message: [UInt8], selector: String, domain: String, key: String, algorithm: String, canonicalization: String)
        /// Sign `message` with `l=` (the body length).
        case signWithLength(message: [UInt8], selector: String, domain: String, key: String, algorithm: String, canonicalization: String)
        /// Verify every signature on `message`; the answer is one verdict per signature.
        case verify(message: [UInt8])
    }

    /// One answer.
    enum Answer {
        case field([UInt8])
        case verdicts([Bool])
        case error(String)
    }

    /// Runs `tasks` in one python process with `keys` (`sel._domainkey.domain` → record text).
    static func run(keys: [String: String], tasks: [Task]) async throws -> [Answer] {
        guard let python = TestPeers.python, isAvailable else { throw PeerError("dkimpy or pynacl is not installed (Scripts/peers/mailauth.requirements.txt)") }
        let directory = try TemporaryDirectory(prefix: "dkimpy")
        let jobTasks: [[String: Any]] = tasks.map { task in
            switch task {
            case .sign(let message, let selector, let domain, let key, let algorithm, let canonicalization):
                [
                    "op": "sign", "message": Data(message).base64EncodedString(), "selector": selector, "domain": domain, "key": key,
                    "algorithm": algorithm, "canonicalization": canonicalization,
                ]
            case .signWithLength(let message, let selector, let domain, let key, let algorithm, let canonicalization):
                [
                    "op": "sign", "message": Data(message).base64EncodedString(), "selector": selector, "domain": domain, "key": key,
                    "algorithm": algorithm, "canonicalization": canonicalization, "length": true,
                ]
            case .verify(let message):
                ["op": "verify", "message": Data(message).base64EncodedString()]
            }
        }
        let job: [String: Any] = ["keys": keys, "tasks": jobTasks]
        let jobPath = directory.path("job.json")
        let resultPath = directory.path("result.json")
        try JSONSerialization.data(withJSONObject: job).write(to: URL(fileURLWithPath: jobPath))
        let (status, output) = try await ChildProcess.run(python, [script.path, jobPath, resultPath])
        guard status == 0 else { throw PeerError("dkim_peer.py failed (\(status)): \(output)") }
        let data = try Data(contentsOf: URL(fileURLWithPath: resultPath))
        guard let answers = try JSONSerialization.jsonObject(with: data) as? [[String: Any]], answers.count == tasks.count else {
            throw PeerError("dkim_peer.py answered something else: \(output)")
        }
        return answers.map { answer in
            if let field = answer["field"] as? String, let bytes = Data(base64Encoded: field) { return .field([UInt8](bytes)) }
            if let verdicts = answer["results"] as? [Bool] { return .verdicts(verdicts) }
            return .error(answer["error"] as? String ?? "no answer")
        }
    }
}
