import CommunityMailTestSupport
import Foundation

/// mbsync (isync 1.4) syncing an IMAP server's INBOX with a local Maildir over STARTTLS:
/// pull everything, compare each file with its source, change flags and delete messages
/// locally, push back. What the server must then hold is in ``Expectation``.
struct IMAPPeerMbsync {
    /// What the server's INBOX must hold after the push: the flags of every UID kept (system
    /// flags, sorted) and the UIDs deleted.
    struct Expectation {
        var flags: [UInt32: [String]]
        var deleted: Set<UInt32>
    }

    /// How the pull went.
    struct Pull {
        /// Files in the local Maildir.
        var files: Int
        /// Files whose bytes differ from their source (after CRLF to LF and without the
        /// `X-TUID` field isync adds: see ``withoutTUID(_:)``).
        var mismatches: [UInt32]
    }

    let port: UInt16
    let certificateAuthority: String
    let folder: TemporaryDirectory
    let configuration: String

    var inbox: URL { folder.url.appendingPathComponent("local/INBOX") }

    init(port: UInt16, certificateAuthority: String) throws {
        self.port = port
        self.certificateAuthority = certificateAuthority
        folder = try TemporaryDirectory(prefix: "mbsync")
        configuration = folder.path("mbsyncrc")
        try FileManager.default.createDirectory(atPath: folder.path("local"), withIntermediateDirectories: true)
        // isync checks the certificate's DNS names only: the host is `localhost` (127.0.0.1 in
        // /etc/hosts; the test certificate names it). Expunge Both: a message deleted locally
        // is \Deleted and expunged on the server.
        try """
            IMAPAccount server
            Host localhost
            Port \(port)
            User \(DovecotIMAPServer.user)
            Pass \(DovecotIMAPServer.password)
            SSLType STARTTLS
            CertificateFile \(certificateAuthority)
            AuthMechs PLAIN
            PipelineDepth 64
            Timeout 600

            IMAPStore far
            Account server

            MaildirStore near
            Path \(folder.path("local"))/
            Inbox \(inbox.path)

            Channel inbox
            Far :far:
            Near :near:
            Patterns INBOX
            Create Near
            Expunge Both
            SyncState *
            Sync All

            """.write(toFile: configuration, atomically: true, encoding: .utf8)
    }

    /// Runs `mbsync -a` once.
    func sync() async throws {
        guard let mbsync = TestPeers.executable("mbsync") else { throw PeerError("mbsync is not installed (isync)") }
        let environment = ChildProcess.environment(adding: ["HOME": folder.url.path])
        let (status, output) = try await ChildProcess.run(mbsync, ["-c", configuration, "-a"], environment: environment)
        guard status == 0 else { throw PeerError("mbsync failed (\(status)): \(output.suffix(3_000))") }
    }

    /// The local files by UID (isync names them `...,U=<uid>:2,<flags>`).
    func localFiles() throws -> [UInt32: String] {
        var files: [UInt32: String] = [:]
        for sub in ["cur", "new"] {
            let directory = inbox.appendingPathComponent(sub).path
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                guard let range = name.range(of: ",U="),
                    let uid = UInt32(name[range.upperBound...].prefix(while: { $0.isNumber }))
                else { throw PeerError("a local file without a UID: \(name)") }
                files[uid] = "\(directory)/\(name)"
            }
        }
        return files
    }

    /// Pulls INBOX and compares each file with `source(uid)`.
    func pull(source: @Sendable @escaping (UInt32) -> [UInt8]?) async throws -> Pull {
        try await sync()
        return try await BlockingWork.run {
            let files = try localFiles()
            var mismatches: [UInt32] = []
            for (uid, path) in files {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                if source(uid).map(Self.withLFLineEnds) != Self.withoutTUID(bytes) { mismatches.append(uid) }
            }
            return Pull(files: files.count, mismatches: mismatches.sorted())
        }
    }

    /// Changes the local Maildir (UID `u` is message `u - 1` of the source, whose flags
    /// `flags(u)` gives): every 10th message (u % 10 == 1) gains \Flagged, every 10th
    /// (u % 10 == 2) has \Seen toggled, every 25th (u % 25 == 3) is deleted. Then pushes.
    func changeLocallyAndPush(flags: @Sendable @escaping (UInt32) -> [String]) async throws -> Expectation {
        let expectation = try await BlockingWork.run {
            let manager = FileManager.default
            var expected: [UInt32: [String]] = [:]
            var deleted: Set<UInt32> = []
            for (uid, path) in try localFiles() {
                var wanted = Set(flags(uid))
                if uid % 25 == 3 {
                    try manager.removeItem(atPath: path)
                    deleted.insert(uid)
                    continue
                }
                if uid % 10 == 1 { wanted.insert("\\Flagged") }
                if uid % 10 == 2 {
                    if wanted.contains("\\Seen") { wanted.remove("\\Seen") } else { wanted.insert("\\Seen") }
                }
                expected[uid] = wanted.sorted()
                guard uid % 10 == 1 || uid % 10 == 2 else { continue }
                let url = URL(fileURLWithPath: path)
                let name = url.lastPathComponent
                let base = name.components(separatedBy: ":2,")[0]
                let letters = String(wanted.compactMap { Self.maildirLetters[$0] }.sorted())
                let renamed = url.deletingLastPathComponent().appendingPathComponent("\(base):2,\(letters)")
                if renamed != url { try manager.moveItem(at: url, to: renamed) }
            }
            return Expectation(flags: expected, deleted: deleted)
        }
        try await sync()
        return expectation
    }

    static let maildirLetters: [String: Character] = ["\\Draft": "D", "\\Flagged": "F", "\\Answered": "R", "\\Seen": "S", "\\Deleted": "T"]

    /// `bytes` without the one `X-TUID: <12 characters>` line isync 1.4 writes as the last
    /// field of each message it stores (its transaction ID, to find the message again);
    /// everything else stays byte for byte.
    static func withoutTUID(_ bytes: [UInt8]) -> [UInt8] {
        let field = Array("\nX-TUID: ".utf8)
        var index = 0
        while index + field.count + 13 <= bytes.count {
            if bytes[index] == 10, bytes[index + 1] == 10 { return bytes }  // the header ended
            if bytes[index..<index + field.count].elementsEqual(field), bytes[index + field.count + 12] == 10 {
                return Array(bytes[...index]) + Array(bytes[(index + field.count + 13)...])
            }
            index += 1
        }
        return bytes
    }

    static func withLFLineEnds(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 13, index + 1 < bytes.count, bytes[index + 1] == 10 {
                index += 1
                continue
            }
            out.append(bytes[index])
            index += 1
        }
        return out
    }
}
