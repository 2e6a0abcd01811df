import CommunityMailTestSupport
import EncryptedMailbox
import MailAccess

/// Our POP3 server on loopback over a real encrypted store: `alice` (`secret1`) holds the
/// given messages in her INBOX.
typealias POP3ServerFixture = MailAccessServerFixture<POP3Server>

extension POP3Server: MailAccessTestServer {
    static var fixtureLabel: String { "pop3" }
    static func fixtureConfiguration() -> Configuration { Configuration(serverName: "pop.test") }
    static var emptyFixtureMembers: [(login: String, password: String)] { [] }
}

extension MailAccessServerFixture where Server == POP3Server {
    /// A poplib script against this server (STLS with the test authority when TLS is on).
    func script(_ steps: [String], transport: POP3ClientScript.Transport? = nil) -> POP3ClientScript {
        let transport = transport ?? (certificates == nil ? .plain : .stls)
        return POP3ClientScript(
            port: transport == .tls ? implicitTLSPort ?? port : port, transport: transport,
            certificateAuthority: certificates?.authority, steps: steps)
    }

    /// The INBOX's messages now, read with the passphrase in a read-only open of its own
    /// (after the server let go).
    func inboxContents() async throws -> [[UInt8]] {
        let mailbox = try await store.openMailbox(userID: Self.login, passphrase: Self.password, readOnly: true)
        let contents = try await mailbox.fetch(.all, in: "INBOX", content: .whole).map { $0.content ?? [] }
        await mailbox.close()
        return contents
    }
}
