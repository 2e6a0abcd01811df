import CommunityMailTestSupport
import Foundation

/// Dovecot's pop3d (Debian's dovecot-pop3d), started by a test on a loopback port with a
/// configuration of its own (PEERS.md's minimal one) and a Maildir holding the given
/// messages for `alice` / `secret1`; stopped by ``stop()``.
final class POP3DovecotPeer: Sendable {
    let port: UInt16
    private let process: DovecotProcess

    static var isInstalled: Bool { TestPeers.executable("dovecot") != nil && FileManager.default.fileExists(atPath: "/usr/lib/dovecot/pop3") }

    private init(port: UInt16, process: DovecotProcess) {
        self.port = port
        self.process = process
    }

    static func start(messages: [[UInt8]]) async throws -> POP3DovecotPeer {
        guard isInstalled else { throw PeerError("dovecot is not installed (dovecot-pop3d)") }
        let folder = try TemporaryDirectory(prefix: "dovecot-pop3")
        let maildir = DovecotProcess.maildir(in: folder)
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(at: maildir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        // New files get UIDs in the order of the times in their names.
        for (index, message) in messages.enumerated() {
            try Data(message).write(to: maildir.appendingPathComponent("new/\(1_700_000_000 + index).M\(index)P1.test"))
        }
        let port = try ChildProcess.freePort()
        let configuration = try DovecotProcess.commonSettings(folder: folder, protocols: "pop3", ssl: "ssl = no") + """
            service pop3-login {
              inet_listener pop3 {
                port = \(port)
              }
              inet_listener pop3s {
                port = 0
              }
            }
            """
        return POP3DovecotPeer(port: port, process: try await DovecotProcess.start(configuration: configuration, in: folder, listeningOn: port))
    }

    func stop() async { await process.stop() }
}
