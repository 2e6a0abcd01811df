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
        return try answers(at: answerPath, count: jobs.count)
    }

    static let commandLineScript = TestPeers.repositoryRoot.appendingPathComponent("Tests/MailAuthTests/Peers/arc_cli_peer.py")

    /// True when dkimpy's `arcsign`/`arcverify`, dnslib (their DNS on 127.0.0.N:53) and
    /// `unshare` (their own resolv.conf in a private mount namespace, which needs root) are
    /// there.
    static var commandLineIsAvailable: Bool {
        isAvailable && TestPeers.pythonHas(["dnslib"]) && TestPeers.executable("unshare") != nil && getuid() == 0
            && TestPeers.python.map {
                FileManager.default.isExecutableFile(atPath: $0.deletingLastPathComponent().appendingPathComponent("arcverify").path)
            } == true
    }

    /// Runs `jobs` through the `arcsign` and `arcverify` command-line tools (RSA signers
    /// only), one python process for the batch.
    static func runCommandLine(_ jobs: [Job]) async throws -> [Answer] {
        guard let python = TestPeers.python, commandLineIsAvailable else {
            throw PeerError("arcsign/arcverify, dnslib or unshare is missing, or not root (Scripts/peers/arc.requirements.txt)")
        }
        let directory = try TemporaryDirectory(prefix: "arc-cli")
        let jobObjects: [[String: Any]] = try jobs.map { job in
            switch job {
            case .verify(let message):
                return ["op": "verify", "message": Data(message.bytes).base64EncodedString()]
            case .seal(let message, let name):
                let signer = try ARCTestKeys.signer(name)
                return [
                    "op": "seal", "message": Data(message.bytes).base64EncodedString(), "selector": signer.selector,
                    "domain": signer.domain, "privateKey": signer.peerPrivateKey, "authservId": signer.authservID,
                    "results": "spf=pass smtp.mailfrom=origin.example",
                ]
            }
        }
        let batchPath = directory.path("batch.json")
        let answerPath = directory.path("answer.json")
        try JSONSerialization.data(withJSONObject: ["keys": try ARCTestKeys.peerKeyTable(), "jobs": jobObjects])
            .write(to: URL(fileURLWithPath: batchPath))
        let (status, output) = try await ChildProcess.run(python, [commandLineScript.path, batchPath, answerPath])
        guard status == 0 else { throw PeerError("arc_cli_peer.py exited \(status): \(output.suffix(2000))") }
        return try answers(at: answerPath, count: jobs.count)
    }

    /// The answers the peer wrote to `path`.
    static func answers(at path: String, count: Int) throws -> [Answer] {
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        guard let results = (document as? [String: Any])?["results"] as? [[String: Any]], results.count == count else {
            throw PeerError("the ARC peer answered \(count) jobs with something else")
        }
        return results.map { result in
            Answer(
                cv: result["cv"] as? String,
                message: (result["message"] as? String).flatMap { Data(base64Encoded: $0) }.map { MailMessage(Array($0)) },
                reason: (result["reason"] ?? result["output"]) as? String, error: result["error"] as? String)
        }
    }
}

