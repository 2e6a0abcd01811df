import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess
import Synchronization

/// One of our servers (IMAP or POP3, see ``IMAPServerFixture`` and ``POP3ServerFixture``) on
/// loopback over a real encrypted `MailboxStore` in a temporary folder: member `alice`
/// (password `secret1`, her mailbox passphrase) holds the given messages in her INBOX; the
/// server type may add empty members (``MailAccessTestServer/emptyFixtureMembers``).
final class MailAccessServerFixture<Server: MailAccessTestServer>: Sendable {
    static var login: String { "alice" }
    static var password: String { "secret1" }

    let folder: TemporaryDirectory
    let store: MailboxStore
    let server: Server
    let authenticator: MailboxStoreAuthenticator
    let certificates: TestCertificates?
    private let running: Task<Void, Never>
    private let recorded: MailAccessEventRecorder

    /// The events the server reported so far.
    var events: [MailAccessEvent] { recorded.events }

    private init(
        folder: TemporaryDirectory, store: MailboxStore, server: Server, authenticator: MailboxStoreAuthenticator,
        certificates: TestCertificates?, running: Task<Void, Never>, recorded: MailAccessEventRecorder
    ) {
        self.folder = folder
        self.store = store
        self.server = server
        self.authenticator = authenticator
        self.certificates = certificates
        self.running = running
        self.recorded = recorded
    }

    /// Starts a server; `tls` gives it a certificate (STARTTLS/STLS and an implicit-TLS port).
    /// Failed logins answer at once (no failure delay) unless `configure` says otherwise.
    static func start(
        messages: [[UInt8]] = POP3TestMessages.all, tls: Bool = true, plaintext: PlaintextAuthenticationPolicy = .refused,
        configure: (inout Server.Configuration) -> Void = { _ in }
    ) async throws -> MailAccessServerFixture {
        let folder = try TemporaryDirectory(prefix: "\(Server.fixtureLabel)-server")
        let store = try MailboxStore(directory: folder.url)
        let mailbox = try await store.createMailbox(userID: login, passphrase: password)
        for message in messages { try await mailbox.append(message, to: "INBOX") }
        await mailbox.close()
        for member in Server.emptyFixtureMembers {
            try await store.createMailbox(userID: member.login, passphrase: member.password).close()
        }
        var configuration = Server.fixtureConfiguration()
        configuration.plaintextAuthentication = plaintext
        configuration.loginRateLimiter = .withoutFailureDelay()
        var certificates: TestCertificates?
        if tls {
            let authority = try await TestCertificates.makeAuthority()
            let leaf = try await authority.makeLeaf(Server.fixtureLabel)
            configuration.tls = MailAccessTLSFiles(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
            certificates = authority
        }
        configure(&configuration)
        return try await start(serving: store, in: folder, configuration: configuration, certificates: certificates)
    }

    /// Starts a server with `configuration` over `store` (in `folder`, which the fixture
    /// keeps), with an implicit-TLS port when the configuration has a certificate;
    /// `certificates` is the authority that issued it, if the fixture's clients should trust it.
    static func start(
        serving store: MailboxStore, in folder: TemporaryDirectory, configuration: Server.Configuration, certificates: TestCertificates?
    ) async throws -> MailAccessServerFixture {
        var configuration = configuration
        // Recorded before the server starts, so that no early event is missed.
        let recorded = MailAccessEventRecorder()
        let previous = configuration.events
        configuration.events = { event in
            recorded.record(event)
            previous?(event)
        }
        let authenticator = MailboxStoreAuthenticator(store: store)
        let server = try await Server(
            address: try SocketAddress("127.0.0.1:0"),
            implicitTLSAddress: configuration.tls == nil ? nil : try SocketAddress("127.0.0.1:0"),
            configuration: configuration, authenticator: authenticator)
        let running = Task { _ = try? await server.run() }
        return MailAccessServerFixture(
            folder: folder, store: store, server: server, authenticator: authenticator, certificates: certificates,
            running: running, recorded: recorded)
    }

    var port: UInt16 { server.localAddress.port }
    var implicitTLSPort: UInt16? { server.implicitTLSLocalAddress?.port }

    /// A bare client on the plain port.
    func rawClient() async throws -> POP3LineClient { try await POP3LineClient(port: port) }

    /// Runs `body` on alice's mailbox, leased from the server's shared mailboxes with her
    /// passphrase (so it works while sessions are open, and sees what they see).
    func withSharedMailbox<Result>(_ body: (any Mailbox) async throws -> Result) async throws -> Result {
        let lease = try await authenticator.mailboxes.lease(userID: Self.login, passphrase: Self.password)
        do {
            let result = try await body(lease.mailbox)
            await lease.release()
            return result
        } catch {
            await lease.release()
            throw error
        }
    }

    func stop() async {
        server.close()
        await running.value
    }
}
