public import CommunityMailSystem

/// An IMAP server (IMAP4rev2, RFC 9051, and IMAP4rev1, RFC 3501) on members' encrypted
/// mailboxes: each login opens the member's mailbox with their password as its passphrase
/// (through a ``MailAccessAuthenticator``), and an ``IMAPSession`` on it serves the
/// authenticated and selected states.
///
/// It listens on a plain port (with STARTTLS when a certificate is configured) and
/// optionally on an implicit-TLS port (IMAPS, RFC 8314). Each connection runs on a task
/// that prefers `BlockingExecutor.shared`.
///
/// ```swift
/// var configuration = IMAPServer.Configuration(serverName: "mail.example.org")
/// configuration.tls = MailAccessTLSFiles(certificateChainFile: "cert.pem", privateKeyFile: "key.pem")
/// let server = try await IMAPServer(
///     address: try SocketAddress("0.0.0.0:143"), implicitTLSAddress: try SocketAddress("0.0.0.0:993"),
///     configuration: configuration, authenticator: MailboxStoreAuthenticator(store: store))
/// try await server.run()   // until close() or cancellation
/// ```
public final class IMAPServer: Sendable {
    /// The configuration.
    public let configuration: Configuration
    let authenticator: any MailAccessAuthenticator
    /// The listeners, the certificate and the graceful shutdown.
    let ports: MailAccessPorts

    /// Loads the certificate (when configured) and listens on `address` and, when given,
    /// `implicitTLSAddress` (port 0: the kernel chooses; see ``localAddress``).
    /// - Throws: ``MailAccessError/invalidConfiguration`` (a limit below its least usable
    ///   value, an implicit-TLS port without a certificate, a certificate that cannot be
    ///   loaded), ``MailAccessError/io`` (cannot listen).
    public init(
        address: SocketAddress, implicitTLSAddress: SocketAddress? = nil, configuration: Configuration,
        authenticator: any MailAccessAuthenticator
    ) async throws(MailAccessError) {
        let parser = configuration.parser
        guard configuration.maximumBadCommands >= 1, parser.maximumLineLength >= 1_024, parser.maximumLiteralSize >= 1_024,
            parser.maximumAppendSize >= 1_024, parser.maximumCommandSize >= parser.maximumLineLength, parser.maximumNestingDepth >= 8,
            parser.maximumItems >= 16, parser.maximumAppendTotalSize >= parser.maximumAppendSize,
            MailAccessLimits.isUsable(configuration.loginTimeout), configuration.idleKeepaliveInterval.map(MailAccessLimits.isUsable) ?? true
        else { throw MailAccessError.invalidConfiguration.with(message: "a limit is below its least usable value") }
        self.configuration = configuration
        self.authenticator = authenticator
        ports = try await MailAccessPorts(address: address, implicitTLSAddress: implicitTLSAddress, configuration: configuration)
    }

    /// Where the plain (STARTTLS) port listens, with the port the kernel chose for port 0.
    public var localAddress: SocketAddress { ports.plain.localAddress }

    /// Where the implicit-TLS port listens, if there is one.
    public var implicitTLSLocalAddress: SocketAddress? { ports.implicitTLS?.localAddress }

    /// Serves both ports until ``close()`` (gracefully) or the task's cancellation (which
    /// closes every connection at once); returns once every session has ended.
    /// - Throws: ``MailAccessError/io`` when accepting fails for good, or when called twice
    ///   (the running server and its sessions go on).
    public func run() async throws(MailAccessError) {
        try await ports.run(busyReply: IMAPConnection.busyReply, connection: serve)
    }

    /// Shuts down gracefully: stops accepting at once; each session waiting for a command
    /// (or in IDLE) gets `* BYE` and is closed; a session busy with a command finishes it
    /// first. What is still open after ``MailAccessLimits/shutdownGracePeriod`` is closed.
    /// Closing twice is harmless.
    public func close() {
        ports.close(gracePeriod: configuration.limits.shutdownGracePeriod)
    }

    /// Runs one session over `stream` (already connected; TLS from the start when
    /// `implicitTLS`, in which case the handshake runs first) and closes it at the end.
    /// `client` is the peer's address for the limits, nil when unknown. ``run()`` calls
    /// this for each connection; a test may call it over an `InMemoryByteStream`.
    public func serve(_ stream: any ByteStream, client: InternetAddress?, implicitTLS: Bool = false) async {
        var connection = IMAPConnection(server: self, stream: stream, client: client, implicitTLS: implicitTLS)
        await connection.run()
    }
}
