import CommunityMailTestSupport
import EncryptedMailbox
import Foundation

/// `Examples/mail-access` started by a test on loopback: a temporary mailboxes folder in which
/// member `alice` (password `secret1`) holds `POP3TestMessages.all`, a certificate from a
/// fresh test authority, plaintext passwords refused, no failed-login delay, and a free port
/// for each listener asked for. The process is stopped (SIGTERM, then SIGKILL) when released.
struct MailAccessExampleProcess {
    /// A listening option of the example (`--listen-<name>`).
    enum Listener: String {
        case imap, imaps, pop3, pop3s
    }

    private let process: ChildProcess
    /// The authority that issued the example's certificate, for clients to trust.
    let certificates: TestCertificates
    /// The port of each listener it was started with.
    let ports: [Listener: UInt16]
    private let folder: TemporaryDirectory

    /// The example as `swift build` left it.
    /// - Throws: `PeerError` when it has not been built.
    static func executable() throws -> URL {
        guard let executable = TestPeers.builtExecutable("mail-access") else { throw PeerError("mail-access is not built") }
        return executable
    }

    /// Starts the example listening on `listeners` and waits until every port accepts.
    static func start(listening listeners: [Listener]) async throws -> MailAccessExampleProcess {
        let executable = try executable()
        let folder = try TemporaryDirectory(prefix: "mail-access")
        let mailboxes = folder.path("mailboxes")
        try FileManager.default.createDirectory(atPath: mailboxes, withIntermediateDirectories: true)
        let store = try MailboxStore(directory: URL(fileURLWithPath: mailboxes))
        let mailbox = try await store.createMailbox(userID: "alice", passphrase: "secret1")
        for message in POP3TestMessages.all { try await mailbox.append(message, to: "INBOX") }
        await mailbox.close()
        let authority = try await TestCertificates.makeAuthority()
        let leaf = try await authority.makeLeaf("mail-access")
        var ports: [Listener: UInt16] = [:]
        var arguments = ["--mailboxes", mailboxes]
        for listener in listeners {
            let port = try ChildProcess.freePort()
            ports[listener] = port
            arguments += ["--listen-\(listener.rawValue)", "127.0.0.1:\(port)"]
        }
        arguments += ["--tls-cert", leaf.chain, "--tls-key", leaf.key, "--plaintext-auth", "never", "--login-failure-delay", "0"]
        let process = try ChildProcess(executable, arguments)
        for port in listeners.compactMap({ ports[$0] }) { try await process.waitForTCPPort(port) }
        return MailAccessExampleProcess(process: process, certificates: authority, ports: ports, folder: folder)
    }

    /// The port `listener` listens on.
    /// - Throws: `PeerError` when the example was not started with it.
    func port(_ listener: Listener) throws -> UInt16 {
        guard let port = ports[listener] else { throw PeerError("mail-access was not started with --listen-\(listener.rawValue)") }
        return port
    }

    /// Sends `signal` to the example, unless it has ended.
    func signal(_ signal: Int32) { process.signal(signal) }

    /// Waits for the example to exit; its status.
    func exited() async -> Int32 { await process.exited() }

    /// What the example has written to stdout and stderr so far (its log).
    var output: String { process.output }
}
