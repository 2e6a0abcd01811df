import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess
import Synchronization

/// Our POP3 server on loopback over a real encrypted `MailboxStore` in a temporary folder:
/// member `alice` (password `secret1`, her mailbox passphrase) holds the given messages.
final class POP3ServerFixture: Sendable {
    static let login = "alice"
    static let password = "secret1"

    let folder: TemporaryDirectory
    let store: MailboxStore
    let server: POP3Server
    let certificates: TestCertificates?
    private let running: Task<Void, Never>
    private let recorded = Mutex<[MailAccessEvent]>([])

    /// The events the server reported so far.
    var events: [MailAccessEvent] { recorded.withLock { $0 } }

    private init(folder: TemporaryDirectory, store: MailboxStore, server: POP3Server, certificates: TestCertificates?, running: Task<Void, Never>) {
        self.folder = folder
        self.store = store
        self.server = server
        self.certificates = certificates
        self.running = running
    }

    /// Starts a server; `tls` gives it a certificate (STLS and an implicit-TLS port).
    static func start(
        messages: [[UInt8]] = POP3TestMessages.all, tls: Bool = true, plaintext: PlaintextAuthenticationPolicy = .refused,
        configure: (inout POP3Server.Configuration) -> Void = { _ in }
    ) async throws -> POP3ServerFixture {
        let folder = try TemporaryDirectory(prefix: "pop3-server")
        let store = try MailboxStore(directory: folder.url)
        let mailbox = try await store.createMailbox(userID: login, passphrase: password)
        for message in messages { try await mailbox.append(message, to: "INBOX") }
        await mailbox.close()
        var configuration = POP3Server.Configuration(serverName: "pop.test")
        configuration.plaintextAuthentication = plaintext
        var limiter = LoginRateLimiter.Configuration()
        limiter.failureDelay = .zero
        configuration.loginRateLimiter = LoginRateLimiter(configuration: limiter)
        var certificates: TestCertificates?
        if tls {
            let authority = try await TestCertificates.makeAuthority()
            let leaf = try await authority.makeLeaf("pop3")
            configuration.tls = MailAccessTLSFiles(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
            certificates = authority
        }
        configure(&configuration)
        // The events go to a box the fixture reads; set up before the server starts.
        let box = EventBox()
        let previous = configuration.events
        configuration.events = { event in
            box.append(event)
            previous?(event)
        }
        let server = try await POP3Server(
            address: try SocketAddress("127.0.0.1:0"), implicitTLSAddress: tls ? try SocketAddress("127.0.0.1:0") : nil,
            configuration: configuration, authenticator: MailboxStoreAuthenticator(store: store))
        let running = Task { _ = try? await server.run() }
        let fixture = POP3ServerFixture(
            folder: folder, store: store, server: server, certificates: certificates, running: running)
        box.attach(fixture)
        return fixture
    }

    fileprivate func record(_ event: MailAccessEvent) { recorded.withLock { $0.append(event) } }

    var port: UInt16 { server.localAddress.port }
    var implicitTLSPort: UInt16? { server.implicitTLSLocalAddress?.port }

    /// A poplib script against this server (STLS with the test authority when TLS is on).
    func script(_ steps: [String], transport: POP3ClientScript.Transport? = nil) -> POP3ClientScript {
        let transport = transport ?? (certificates == nil ? .plain : .stls)
        return POP3ClientScript(
            port: transport == .tls ? implicitTLSPort ?? port : port, transport: transport,
            certificateAuthority: certificates?.authority, steps: steps)
    }

    /// The INBOX's messages now, read with the passphrase (after the server let go).
    func inboxContents() async throws -> [[UInt8]] {
        let mailbox = try await store.openMailbox(userID: Self.login, passphrase: Self.password, readOnly: true)
        let contents = try await mailbox.fetch(.all, in: "INBOX", content: .whole).map { $0.content ?? [] }
        await mailbox.close()
        return contents
    }

    func stop() async {
        server.close()
        await running.value
    }
}

/// Carries events to the fixture once it exists (the server is built before it).
private final class EventBox: Sendable {
    private let state = Mutex<(fixture: POP3ServerFixture?, early: [MailAccessEvent])>((nil, []))

    func append(_ event: MailAccessEvent) {
        let fixture = state.withLock { state -> POP3ServerFixture? in
            if state.fixture == nil { state.early.append(event) }
            return state.fixture
        }
        fixture?.record(event)
    }

    func attach(_ fixture: POP3ServerFixture) {
        let early = state.withLock { state -> [MailAccessEvent] in
            state.fixture = fixture
            defer { state.early = [] }
            return state.early
        }
        for event in early { fixture.record(event) }
    }
}
