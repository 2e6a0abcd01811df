import CommunityMailTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Dovecot's pop3d (Debian's dovecot-pop3d), started by a test on a loopback port with a
/// configuration of its own (PEERS.md's minimal one) and a Maildir holding the given
/// messages for `alice` / `secret1`; stopped by ``stop()``.
final class POP3DovecotPeer: Sendable {
    let folder: TemporaryDirectory
    let port: UInt16
    private let process: ChildProcess

    static var isInstalled: Bool { TestPeers.executable("dovecot") != nil && FileManager.default.fileExists(atPath: "/usr/lib/dovecot/pop3") }

    private init(folder: TemporaryDirectory, port: UInt16, process: ChildProcess) {
        self.folder = folder
        self.port = port
        self.process = process
    }

    static func start(messages: [[UInt8]]) async throws -> POP3DovecotPeer {
        guard let dovecot = TestPeers.executable("dovecot") else { throw PeerError("dovecot is not installed (dovecot-pop3d)") }
        let folder = try TemporaryDirectory(prefix: "dovecot-pop3")
        // Dovecot's mail processes run as nobody: the path to the Maildir must be open to it.
        chmod(folder.url.path, 0o755)
        let maildir = folder.url.appendingPathComponent("mail/alice/Maildir")
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        // New files get UIDs in the order of the times in their names.
        for (index, message) in messages.enumerated() {
            try Data(message).write(to: maildir.appendingPathComponent("new/\(1_700_000_000 + index).M\(index)P1.test"))
        }
        for path in try FileManager.default.subpathsOfDirectory(atPath: folder.path("mail")).map({ folder.path("mail/\($0)") }) + [folder.path("mail")] {
            chown(path, 65534, 65534)
        }
        let users = folder.path("users")
        try "alice:{PLAIN}secret1::::::\n".write(toFile: users, atomically: true, encoding: .utf8)
        let port = try ChildProcess.freePort()
        let configuration = folder.path("dovecot.conf")
        try """
            base_dir = \(folder.path("run"))
            state_dir = \(folder.path("state"))
            log_path = \(folder.path("dovecot.log"))
            protocols = pop3
            listen = 127.0.0.1
            ssl = no
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
            service pop3-login {
              inet_listener pop3 {
                port = \(port)
              }
              inet_listener pop3s {
                port = 0
              }
            }
            """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let process = try ChildProcess(dovecot, ["-F", "-c", configuration])
        let peer = POP3DovecotPeer(folder: folder, port: port, process: process)
        do {
            try await process.waitForTCPPort(port)
        } catch {
            throw PeerError("dovecot did not start: \(process.output) \((try? String(contentsOfFile: folder.path("dovecot.log"), encoding: .utf8)) ?? "")")
        }
        return peer
    }

    func stop() async {
        process.signal(SIGTERM)
        _ = await process.exited()
    }
}
