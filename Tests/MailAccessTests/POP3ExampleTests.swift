import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `mail-access` example: usage errors exit 64; a member pulls mail with poplib over
/// STLS and POP3S; SIGTERM ends it with status 0.
@Suite(.enabled(if: TestPeers.builtExecutable("mail-access") != nil || TestPeers.required))
struct POP3ExampleTests {
    @Test func usageErrorsExit64() async throws {
        let executable = try #require(TestPeers.builtExecutable("mail-access"))
        for arguments in [[], ["--mailboxes", "/tmp"], ["--mailboxes", "/tmp", "--listen-pop3", "nowhere"],
                          ["--mailboxes", "/tmp", "--listen-pop3", "127.0.0.1:0", "--listen-pop3s", "127.0.0.1:0"],
                          ["--mailboxes", "/tmp", "--listen-imap", "127.0.0.1:0", "--listen-imaps", "127.0.0.1:0"]] {
            let (status, output) = try await ChildProcess.run(executable, arguments)
            #expect(status == 64, "\(arguments): \(output)")
            #expect(output.contains("usage: mail-access"))
        }
    }

    @Test func servesAMemberAndStopsOnSIGTERM() async throws {
        let executable = try #require(TestPeers.builtExecutable("mail-access"))
        let folder = try TemporaryDirectory(prefix: "mail-access")
        let mailboxes = folder.path("mailboxes")
        try FileManager.default.createDirectory(atPath: mailboxes, withIntermediateDirectories: true)
        let store = try MailboxStore(directory: URL(fileURLWithPath: mailboxes))
        let mailbox = try await store.createMailbox(userID: "alice", passphrase: "secret1")
        for message in POP3TestMessages.all { try await mailbox.append(message, to: "INBOX") }
        await mailbox.close()
        let authority = try await TestCertificates.makeAuthority()
        let leaf = try await authority.makeLeaf("mail-access")
        let port = try ChildProcess.freePort(), tlsPort = try ChildProcess.freePort()
        let server = try ChildProcess(executable, [
            "--mailboxes", mailboxes, "--listen-pop3", "127.0.0.1:\(port)", "--listen-pop3s", "127.0.0.1:\(tlsPort)",
            "--tls-cert", leaf.chain, "--tls-key", leaf.key, "--plaintext-auth", "never", "--login-failure-delay", "0",
        ])
        try await server.waitForTCPPort(port)
        try await server.waitForTCPPort(tlsPort)
        let stls = try await POP3ClientScript(
            port: port, transport: .stls, certificateAuthority: authority.authority,
            steps: ["connect", "user alice", "pass wrong", "user alice", "pass secret1", "stat", "retr 1", "dele 1", "quit"]).run()
        #expect(!stls[2].ok && stls[4].ok && stls[8].ok)
        #expect(stls[6].lines == POP3TestMessages.lines(of: POP3TestMessages.all[0]))
        let tls = try await POP3ClientScript(
            port: tlsPort, transport: .tls, certificateAuthority: authority.authority,
            steps: ["connect", "plain alice secret1", "stat", "quit"]).run()
        #expect(tls[2].response.hasPrefix("+OK \(POP3TestMessages.all.count - 1) "))
        server.signal(SIGTERM)
        #expect(await server.exited() == 0)
        // The log carries no password and no login name.
        #expect(!server.output.contains("wrong") && !server.output.contains("secret1") && !server.output.contains("alice"))
    }
}
