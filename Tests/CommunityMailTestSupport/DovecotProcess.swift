public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Dovecot master process (`dovecot -F -c CONF`) that a test or benchmark starts on
/// loopback with a configuration of its own in a temporary folder (the minimal one of
/// PEERS.md, which ``commonSettings(folder:protocols:ssl:)`` writes), one member `alice`
/// (password `secret1`) whose Maildir is `mail/alice/Maildir` in that folder. Stopped by
/// ``stop()``. ``DovecotIMAPServer`` and the POP3 comparison's peer stand on it.
public final class DovecotProcess: Sendable {
    /// The login of the one member.
    public static let user = "alice"
    /// Its password.
    public static let password = "secret1"

    /// The temporary folder holding the configuration, state, log and mail.
    public let folder: TemporaryDirectory
    private let process: ChildProcess

    private init(folder: TemporaryDirectory, process: ChildProcess) {
        self.folder = folder
        self.process = process
    }

    /// The member's Maildir in `folder` (which ``start(configuration:in:listeningOn:)`` hands to `nobody`).
    public static func maildir(in folder: TemporaryDirectory) -> URL { folder.url.appendingPathComponent("mail/\(user)/Maildir") }

    /// The settings every instance shares: its paths in `folder`, loopback only, `protocols`,
    /// `ssl` (a line such as `ssl = no`), passwords allowed without TLS, Maildirs at
    /// `~/Maildir`, and the member from a passwd-file, its home under `folder`'s `mail`, its
    /// mail processes running as `nobody`. Writes that passwd-file into `folder`.
    public static func commonSettings(folder: TemporaryDirectory, protocols: String, ssl: String) throws -> String {
        let users = folder.path("users")
        try "\(user):{PLAIN}\(password)::::::\n".write(toFile: users, atomically: true, encoding: .utf8)
        return """
            base_dir = \(folder.path("base"))
            state_dir = \(folder.path("state"))
            log_path = \(folder.path("dovecot.log"))
            protocols = \(protocols)
            listen = 127.0.0.1
            \(ssl)
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            mail_location = maildir:~/Maildir
            passdb {
              driver = passwd-file
              args = username_format=%u \(users)
            }
            userdb {
              driver = passwd-file
              args = username_format=%u \(users)
              default_fields = uid=nobody gid=nogroup home=\(folder.path("mail"))/%u
            }

            """
    }

    /// Hands `folder`'s mail to `nobody` (Dovecot's mail processes run as that user, so the
    /// path to the Maildir must be open to it), writes `configuration` to `dovecot.conf`,
    /// starts Dovecot and waits until it listens on `port`.
    /// - Throws: `PeerError` (with Dovecot's output and log) when it is not installed or
    ///   does not start.
    public static func start(configuration: String, in folder: TemporaryDirectory, listeningOn port: UInt16) async throws -> DovecotProcess {
        guard let dovecot = TestPeers.executable("dovecot") else { throw PeerError("dovecot is not installed") }
        let file = folder.path("dovecot.conf")
        try configuration.write(toFile: file, atomically: true, encoding: .utf8)
        try await BlockingWork.run {
            chmod(folder.url.path, 0o755)
            let mail = folder.path("mail")
            for path in try FileManager.default.subpathsOfDirectory(atPath: mail).map({ "\(mail)/\($0)" }) + [mail] {
                chown(path, 65534, 65534)
            }
        }
        let process = try ChildProcess(dovecot, ["-F", "-c", file])
        let instance = DovecotProcess(folder: folder, process: process)
        do {
            try await process.waitForTCPPort(port)
        } catch {
            throw PeerError("dovecot did not start: \(process.output) \(instance.log)")
        }
        return instance
    }

    /// Dovecot's log so far (for failure messages).
    public var log: String { (try? String(contentsOfFile: folder.path("dovecot.log"), encoding: .utf8)) ?? "" }

    /// Stops Dovecot and waits for it to exit.
    public func stop() async {
        process.signal(SIGTERM)
        _ = await process.exited()
    }
}
