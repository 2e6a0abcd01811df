import CommunityMailSystem
import CommunityMailTestSupport
import Foundation

/// A real SMTP peer on a loopback port, stopped by `stop()` (tests call it in `defer`), with
/// the folder it writes its messages to.
final class SMTPPeerProcess: Sendable {
    let port: UInt16
    let folder: TemporaryDirectory
    private let process: ChildProcess

    static let hasSink = TestPeers.executable("smtp-sink") != nil
    static let hasAiosmtpd = TestPeers.pythonHas(["aiosmtpd"])

    /// Postfix's smtp-sink with `options`, dumping each message to `folder/msg.*`.
    static func sink(_ options: [String] = []) async throws -> SMTPPeerProcess {
        guard let sink = TestPeers.executable("smtp-sink") else { throw PeerError("smtp-sink (Postfix) is not installed") }
        let folder = try TemporaryDirectory(prefix: "smtp-sink")
        let port = try ChildProcess.freePort()
        var privileges: [String] = []
        if geteuid() == 0 {
            // smtp-sink refuses to run as root without a user to become, who must be able to
            // write the dumps.
            privileges = ["-u", "nobody"]
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder.url.path)
        }
        let process = try ChildProcess(
            sink, privileges + options + ["-d", folder.path("msg."), "-h", "sink.test", "127.0.0.1:\(port)", "16"])
        return try await SMTPPeerProcess(process: process, port: port, folder: folder)
    }

    /// How an aiosmtpd peer offers TLS.
    enum PeerTLS {
        /// Not at all.
        case none
        /// STARTTLS (RFC 3207).
        case startTLS
        /// TLS from the first byte (RFC 8314).
        case implicit
    }

    static let hasAiosmtpdAndOpenSSL = hasAiosmtpd && TestPeers.executable("openssl") != nil

    /// aiosmtpd (Tests/Peers/aiosmtpd_recorder.py), with SMTPUTF8 when asked, and with TLS on a fresh
    /// self-signed certificate (``certificatePath``) for DNS:localhost and IP:127.0.0.1.
    /// - Parameter tls12Only: with TLS, refuse anything newer than TLS 1.2.
    static func aiosmtpd(smtputf8: Bool = false, tls: PeerTLS = .none, tls12Only: Bool = false) async throws -> SMTPPeerProcess {
        guard let python = TestPeers.python else { throw PeerError("no Python virtual environment; run Scripts/install-test-deps") }
        let folder = try TemporaryDirectory(prefix: "aiosmtpd")
        let port = try ChildProcess.freePort()
        let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/Peers/aiosmtpd_recorder.py").path
        var arguments = [script, String(port), folder.url.path] + (smtputf8 ? ["--smtputf8"] : [])
        if tls != .none {
            guard let openssl = TestPeers.executable("openssl") else { throw PeerError("openssl is not installed") }
            let certificate = folder.path("cert.pem")
            let key = folder.path("key.pem")
            let make = try ChildProcess(openssl, [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
            guard await make.exited() == 0 else { throw PeerError("openssl req failed:\n\(make.output)") }
            arguments += ["--cert", certificate, "--key", key] + (tls == .implicit ? ["--implicit-tls"] : []) + (tls12Only ? ["--tls12-only"] : [])
        }
        let process = try ChildProcess(python, arguments)
        return try await SMTPPeerProcess(process: process, port: port, folder: folder)
    }

    private init(process: ChildProcess, port: UInt16, folder: TemporaryDirectory) async throws {
        self.process = process
        self.port = port
        self.folder = folder
        do {
            try await process.waitForTCPPort(port)
        } catch {
            process.stop()
            throw error
        }
    }

    func stop() { process.stop() }

    /// The certificate of an aiosmtpd peer with TLS: trusting it as an authority verifies
    /// the peer's chain.
    var certificatePath: String { folder.path("cert.pem") }

    /// A TCP connection to the peer.
    func connect() async throws -> TCPConnection {
        try await TCPConnection.connect(to: SocketAddress("127.0.0.1:\(port)"), deadline: .now + .seconds(60))
    }

    /// The contents of the files in the folder whose names start with `prefix` and end with
    /// `suffix`, once `count` of them exist (or after 10 s), by name.
    func files(prefix: String = "", suffix: String = "", waitingFor count: Int = 1) async throws -> [Data] {
        let start = ContinuousClock.now
        while true {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
                .filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }.sorted()
            if names.count >= count || ContinuousClock.now - start > .seconds(10) {
                // smtp-sink opens a dump at MAIL and removes it when the transaction ends
                // without a message: a file listed a moment ago may be gone.
                return names.compactMap { try? Data(contentsOf: folder.url.appendingPathComponent($0)) }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
