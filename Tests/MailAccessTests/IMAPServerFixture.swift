import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess
import Synchronization

/// Our IMAP server on loopback over a real encrypted `MailboxStore` in a temporary folder:
/// member `alice` (password `secret1`, her mailbox passphrase) holds the given messages in
/// her INBOX; member `bob` (`secret2`) has an empty mailbox.
final class IMAPServerFixture: Sendable {
    static let login = "alice"
    static let password = "secret1"

    let folder: TemporaryDirectory
    let store: MailboxStore
    let server: IMAPServer
    let authenticator: MailboxStoreAuthenticator
    let certificates: TestCertificates?
    private let running: Task<Void, Never>
    private let recorded = Mutex<[MailAccessEvent]>([])

    /// The events the server reported so far.
    var events: [MailAccessEvent] { recorded.withLock { $0 } }

    private init(
        folder: TemporaryDirectory, store: MailboxStore, server: IMAPServer, authenticator: MailboxStoreAuthenticator,
        certificates: TestCertificates?, running: Task<Void, Never>
    ) {
        self.folder = folder
        self.store = store
        self.server = server
        self.authenticator = authenticator
        self.certificates = certificates
        self.running = running
    }

    /// Starts a server; `tls` gives it a certificate (STARTTLS and an implicit-TLS port).
    /// Failed logins answer at once (no failure delay) unless `configure` says otherwise.
    static func start(
        messages: [[UInt8]] = POP3TestMessages.all, tls: Bool = true, plaintext: PlaintextAuthenticationPolicy = .refused,
        configure: (inout IMAPServer.Configuration) -> Void = { _ in }
    ) async throws -> IMAPServerFixture {
        let folder = try TemporaryDirectory(prefix: "imap-server")
        let store = try MailboxStore(directory: folder.url)
        let mailbox = try await store.createMailbox(userID: login, passphrase: password)
        for message in messages { try await mailbox.append(message, to: "INBOX") }
        await mailbox.close()
        try await store.createMailbox(userID: "bob", passphrase: "secret2").close()
        var configuration = IMAPServer.Configuration(serverName: "imap.test")
        configuration.plaintextAuthentication = plaintext
        var limiter = LoginRateLimiter.Configuration()
        limiter.failureDelay = .zero
        configuration.loginRateLimiter = LoginRateLimiter(configuration: limiter)
        var certificates: TestCertificates?
        if tls {
            let authority = try await TestCertificates.makeAuthority()
            let leaf = try await authority.makeLeaf("imap")
            configuration.tls = MailAccessTLSFiles(certificateChainFile: leaf.chain, privateKeyFile: leaf.key)
            certificates = authority
        }
        configure(&configuration)
        let box = IMAPEventBox()
        let previous = configuration.events
        configuration.events = { event in
            box.append(event)
            previous?(event)
        }
        let authenticator = MailboxStoreAuthenticator(store: store)
        let server = try await IMAPServer(
            address: try SocketAddress("127.0.0.1:0"), implicitTLSAddress: tls ? try SocketAddress("127.0.0.1:0") : nil,
            configuration: configuration, authenticator: authenticator)
        let running = Task { _ = try? await server.run() }
        let fixture = IMAPServerFixture(
            folder: folder, store: store, server: server, authenticator: authenticator, certificates: certificates, running: running)
        box.attach(fixture)
        return fixture
    }

    fileprivate func record(_ event: MailAccessEvent) { recorded.withLock { $0.append(event) } }

    var port: UInt16 { server.localAddress.port }
    var implicitTLSPort: UInt16? { server.implicitTLSLocalAddress?.port }

    /// Runs `source` (Python 3 with imaplib; `config` holds `port`, `tls_port`, `cafile`
    /// and `extra`) and decodes what it prints as JSON.
    func python<Output: Decodable>(_ source: String, extra: [String: Any] = [:], as type: Output.Type) async throws -> Output {
        var settings: [String: Any] = ["port": Int(port), "extra": extra]
        if let implicitTLSPort { settings["tls_port"] = Int(implicitTLSPort) }
        if let certificates { settings["cafile"] = certificates.authority }
        return try await IMAPPythonScript.run(IMAPPythonScript.prelude + source, settings: settings, as: type)
    }

    /// A bare client on the plain port.
    func rawClient() async throws -> POP3LineClient { try await POP3LineClient(port: port) }

    /// The INBOX's messages now, read with the passphrase through the server's shared
    /// mailbox (so it works while sessions are open).
    func inboxContents() async throws -> [[UInt8]] {
        let lease = try await authenticator.mailboxes.lease(userID: Self.login, passphrase: Self.password)
        let contents = try await lease.mailbox.fetch(.all, in: "INBOX", content: .whole).map { $0.content ?? [] }
        await lease.release()
        return contents
    }

    /// Appends `message` to alice's INBOX as the forwarder would (through the shared mailbox).
    func deliver(_ message: [UInt8]) async throws {
        let lease = try await authenticator.mailboxes.lease(userID: Self.login, passphrase: Self.password)
        _ = try await lease.mailbox.append(message, to: "INBOX")
        await lease.release()
    }

    func stop() async {
        server.close()
        await running.value
    }
}

/// Runs Python scripts for the IMAP server tests: the test venv's python (imaplib is in its
/// standard library) with a JSON settings file as its argument.
enum IMAPPythonScript {
    /// Helpers every script gets: `config`, `context` (trusting the test authority),
    /// `plain()` / `starttls()` / `implicit()` connections, `tagged(client, tag)`.
    static let prelude = #"""
        import base64, imaplib, json, socket, ssl, sys, time
        config = json.load(open(sys.argv[1]))
        extra = config.get("extra", {})
        context = ssl.create_default_context(cafile=config["cafile"]) if config.get("cafile") else None
        def plain():
            return imaplib.IMAP4("127.0.0.1", config["port"], timeout=120)
        def starttls():
            client = plain()
            client.starttls(ssl_context=context)
            return client
        def implicit():
            return imaplib.IMAP4_SSL("127.0.0.1", config["tls_port"], ssl_context=context, timeout=120)
        def text(value):
            return value.decode("latin-1") if isinstance(value, bytes) else value
        def raw(client, line):
            """Sends one command line as is and returns every line up to its tagged reply."""
            tag = line.split(b" ")[0]
            client.send(line + b"\r\n")
            lines = []
            while True:
                got = client.readline()
                if not got:
                    lines.append("<closed>")
                    return lines
                lines.append(text(got).rstrip("\r\n"))
                if got.startswith(tag + b" "):
                    return lines

        """#

    static func run<Output: Decodable>(_ source: String, settings: [String: Any], as type: Output.Type) async throws -> Output {
        guard let python = TestPeers.python ?? TestPeers.executable("python3") else { throw PeerError("no python for imaplib") }
        let folder = try TemporaryDirectory(prefix: "imaplib")
        let script = folder.path("session.py"), configuration = folder.path("session.json"), output = folder.path("out.json")
        try source.write(toFile: script, atomically: true, encoding: .utf8)
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: configuration))
        let (status, log) = try await ChildProcess.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "\"$0\" \"$1\" \"$2\" > \"$3\"", python.path, script, configuration, output])
        guard status == 0 else { throw PeerError("imaplib script failed (\(status)): \(log)") }
        return try JSONDecoder().decode(type, from: Data(contentsOf: URL(fileURLWithPath: output)))
    }
}

extension POP3LineClient {
    /// Lines up to and including the one tagged `tag` (or up to the connection's end).
    func readUntilTagged(_ tag: String) async throws -> [String] {
        var lines: [String] = []
        while let line = try await readLine() {
            lines.append(line)
            if line.hasPrefix(tag + " ") { break }
        }
        return lines
    }

    /// Sends `line` plus CRLF and reads up to its tagged reply (the tag is the first word).
    func command(_ line: String) async throws -> [String] {
        try await send(line + "\r\n")
        return try await readUntilTagged(String(line.prefix { $0 != " " }))
    }
}

/// Carries events to the fixture once it exists (the server is built before it).
private final class IMAPEventBox: Sendable {
    private let state = Mutex<(fixture: IMAPServerFixture?, early: [MailAccessEvent])>((nil, []))

    func append(_ event: MailAccessEvent) {
        let fixture = state.withLock { state -> IMAPServerFixture? in
            if state.fixture == nil { state.early.append(event) }
            return state.fixture
        }
        fixture?.record(event)
    }

    func attach(_ fixture: IMAPServerFixture) {
        let early = state.withLock { state -> [MailAccessEvent] in
            state.fixture = fixture
            defer { state.early = [] }
            return state.early
        }
        for event in early { fixture.record(event) }
    }
}
