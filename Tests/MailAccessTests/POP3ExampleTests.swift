import CommunityMailSystem
import CommunityMailTestSupport
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
        let executable = try MailAccessExampleProcess.executable()
        for arguments in [[], ["--mailboxes", "/tmp"], ["--mailboxes", "/tmp", "--listen-pop3", "nowhere"],
                          ["--mailboxes", "/tmp", "--listen-pop3", "127.0.0.1:0", "--listen-pop3s", "127.0.0.1:0"],
                          ["--mailboxes", "/tmp", "--listen-imap", "127.0.0.1:0", "--listen-imaps", "127.0.0.1:0"]] {
            let (status, output) = try await ChildProcess.run(executable, arguments)
            #expect(status == 64, "\(arguments): \(output)")
            #expect(output.contains("usage: mail-access"))
        }
    }

    @Test func servesAMemberAndStopsOnSIGTERM() async throws {
        let example = try await MailAccessExampleProcess.start(listening: [.pop3, .pop3s])
        let authority = example.certificates
        let stls = try await POP3ClientScript(
            port: try example.port(.pop3), transport: .stls, certificateAuthority: authority.authority,
            steps: ["connect", "user alice", "pass wrong", "user alice", "pass secret1", "stat", "retr 1", "dele 1", "quit"]).run()
        #expect(!stls[2].ok && stls[4].ok && stls[8].ok)
        #expect(stls[6].lines == POP3TestMessages.lines(of: POP3TestMessages.all[0]))
        let tls = try await POP3ClientScript(
            port: try example.port(.pop3s), transport: .tls, certificateAuthority: authority.authority,
            steps: ["connect", "plain alice secret1", "stat", "quit"]).run()
        #expect(tls[2].response.hasPrefix("+OK \(POP3TestMessages.all.count - 1) "))
        example.signal(SIGTERM)
        #expect(await example.exited() == 0)
        // The log carries no password and no login name.
        #expect(!example.output.contains("wrong") && !example.output.contains("secret1") && !example.output.contains("alice"))
    }
}
