import CommunityMailMessage
import CommunityMailTestSupport
import Foundation

/// dkimpy's ARC (`dkim.arc_verify`, `dkim.ARC.sign`), driven through `Peers/arc_peer.py`:
/// one python process runs a whole batch; its `dnsfunc` answers from the test keys.
enum ARCPeer {
    static let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/MailAuthTests/Peers/arc_peer.py")

    /// True when the venv's python has dkimpy, pynacl (Ed25519) and authres (dkimpy's ARC
    /// signing reads our Authentication-Results with it).
    static var isAvailable: Bool { TestPeers.pythonHas(["dkim", "nacl", "authres"]) }

    /// One thing for dkimpy to do.
    enum Job {
        /// Verify the chain.
        case verify(MailMessage)
        /// Verify the chain, add an Authentication-Results with `arc=<cv>`, and seal with
        /// the test signer called `signer`.
        case seal(MailMessage, signer: String)
    }

    /// One answer: dkimpy's cv (`none`/`pass`/`fail`; for a seal, the chain's before it
    /// sealed), the sealed message for a seal, dkimpy's reason, or an error it raised.
    struct Answer {
        var cv: String?
        var message: MailMessage?
        var reason: String?
        var error: String?
    }

    /// Runs `jobs` in one python process. With `ed25519`, dkimpy's ARC algorithm table also
    /// takes ed25519-sha256 (dkimpy 1.1.8 verifies ARC with rsa-sha256 only).
    static func run(_ jobs: [Job], ed25519: Bool) async throws -> [Answer] {
        guard let python = TestPeers.python, isAvailable else {
            throw PeerError("dkimpy, pynacl or authres is not installed (Scripts/peers/mailauth.requirements.txt, arc.requirements.txt)")
        }
        let directory = try TemporaryDirectory(prefix: "arc-dkimpy")
        var signers: [String: [String: String]] = [:]
        for signer in ARCTestKeys.signers ?? [] {
            signers[signer.name] = [
                "selector": signer.selector, "domain": signer.domain, "algorithm": signer.algorithm, "privateKey": signer.peerPrivateKey,
            ]
        }
        let jobObjects: [[String: Any]] = try jobs.map { job in
            switch job {
            case .verify(let message):
                return ["op": "verify", "message": Data(message.bytes).base64EncodedString()]
            case .seal(let message, let name):
                let signer = try ARCTestKeys.signer(name)
                return [
                    "op": "seal", "message": Data(message.bytes).base64EncodedString(), "signer": name, "authservId": signer.authservID,
                    "results": "spf=pass smtp.mailfrom=origin.example", "timestamp": Int(Date().timeIntervalSince1970),
                ]
            }
        }
        let batch: [String: Any] = ["keys": try ARCTestKeys.peerKeyTable(), "signers": signers, "jobs": jobObjects, "arcEd25519": ed25519]
        let batchPath = directory.path("batch.json")
        let answerPath = directory.path("answer.json")
        try JSONSerialization.data(withJSONObject: batch).write(to: URL(fileURLWithPath: batchPath))
        let (status, output) = try await ChildProcess.run(python, [script.path, batchPath, answerPath])
        guard status == 0 else { throw PeerError("arc_peer.py exited \(status): \(output.suffix(2000))") }
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: answerPath)))
        guard let results = (document as? [String: Any])?["results"] as? [[String: Any]], results.count == jobs.count else {
            throw PeerError("arc_peer.py answered \(jobs.count) jobs with something else")
        }
        return results.map { result in
            Answer(
                cv: result["cv"] as? String,
                message: (result["message"] as? String).flatMap { Data(base64Encoded: $0) }.map { MailMessage(Array($0)) },
                reason: result["reason"] as? String, error: result["error"] as? String)
        }
    }
}
