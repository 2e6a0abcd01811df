import CommunityMailSystem
import CommunityMailTLS

/// The life of one IMAP or POP3 connection around its protocol's conversation, the same
/// for both: the per-address refusal (a busy reply on the plain port, nothing on the
/// implicit-TLS one), the drain's register and unregister, the TLS handshakes (implicit
/// TLS, STARTTLS, STLS) with the drain told of the new stream, the reads between commands
/// that a shutdown interrupts, the member's login (``MailAccessLogin``), and at the end the
/// session's place in the table, the lease, the stream and the `sessionEnded` report.
/// ``MailAccessConnection/run()`` puts the steps in order; each connection keeps only its
/// protocol.
struct MailAccessConnectionLifecycle {
    /// The login sequence, with the server's authenticator, limiter, table and events.
    let login: MailAccessLogin
    /// The server's ports: the certificate and the drain.
    let ports: MailAccessPorts
    /// The peer's address for the limits; nil when unknown.
    let client: InternetAddress?
    /// Whether the connection came in on the implicit-TLS port (handshake first).
    let implicitTLS: Bool
    /// When the connection was accepted: the login deadline and the reported duration
    /// count from here.
    let started = ContinuousClock.now
    /// The connection's identifier in the drain, once registered.
    private(set) var drainSlot = 0

    /// The lifecycle of a connection from `client` to a server with `configuration`,
    /// `authenticator` and `ports`, speaking `accessProtocol`.
    init(
        _ accessProtocol: MailAccessEvent.AccessProtocol, configuration: some MailAccessServerConfiguration,
        authenticator: any MailAccessAuthenticator, ports: MailAccessPorts, client: InternetAddress?, implicitTLS: Bool
    ) {
        login = MailAccessLogin(
            accessProtocol: accessProtocol, authenticator: authenticator, limiter: configuration.loginRateLimiter,
            sessions: configuration.sessions, limits: configuration.limits, events: configuration.events)
        self.ports = ports
        self.client = client
        self.implicitTLS = implicitTLS
    }

    /// The server's connection, session and time limits.
    var limits: MailAccessLimits { login.limits }

    /// The certificate for STARTTLS/STLS and the implicit-TLS port, if configured.
    var tlsContext: TLSServerContext? { ports.tlsContext }

    /// Whether the server is shutting down.
    var isClosing: Bool { ports.drain.isClosing }

    /// Counts the connection in for `client`'s address; false (the busy reply sent on the
    /// plain port, the stream closed, `.refused` reported) when the address or the server
    /// has too many. Otherwise registers `stream` with the drain.
    mutating func admit(_ stream: any ByteStream, busyReply: [UInt8]) async -> Bool {
        if login.sessions.addConnection(from: client, limits: limits) != nil {
            // On the implicit-TLS port plaintext would be garbage to the client.
            if !implicitTLS { try? await stream.write(busyReply, deadline: .now + .seconds(5)) }
            await stream.close()
            report(.refused, overTLS: implicitTLS)
            return false
        }
        drainSlot = ports.drain.register(stream)
        return true
    }

    /// The TLS stream over `stream` once the server's handshake succeeded (within
    /// ``MailAccessLimits/tlsHandshakeTimeout``), registered with the drain in its place;
    /// nil when there is no certificate or the handshake failed.
    func acceptTLS(over stream: any ByteStream) async -> (any ByteStream)? {
        guard let context = ports.tlsContext else { return nil }
        do {
            let secured = try await TLSStream.accept(over: stream, context: context, deadline: .now + limits.tlsHandshakeTimeout)
            ports.drain.update(drainSlot, stream: secured)
            return secured
        } catch {
            return nil
        }
    }

    /// A read between commands from `stream` until `deadline`: the bytes (empty when the
    /// client closed), or nil when the server is shutting down (before or while waiting).
    func readBetweenCommands(from stream: any ByteStream, deadline: ContinuousClock.Instant) async throws(NetworkError) -> [UInt8]? {
        try await ports.drain.readBetweenCommands(drainSlot, from: stream, deadline: deadline)
    }

    /// The end of an admitted connection: gives back the member's session (and the maildrop
    /// lock when `locksMaildrop`) and the lease, closes `stream`, leaves the drain and the
    /// address's count, and reports `ending`.
    func finish(
        _ stream: any ByteStream, lease: MailboxLease?, locksMaildrop: Bool, ending: MailAccessEvent.Ending, overTLS: Bool
    ) async {
        if let lease {
            login.sessions.removeSession(userID: lease.userID, locksMaildrop: locksMaildrop)
            await lease.release()
        }
        await stream.close()
        ports.drain.unregister(drainSlot)
        login.sessions.removeConnection(from: client)
        report(ending, overTLS: overTLS)
    }

    /// Reports how the session ended, with its duration from the connection on.
    func report(_ ending: MailAccessEvent.Ending, overTLS: Bool) {
        login.events?(.sessionEnded(login.accessProtocol, ending, overTLS: overTLS, duration: .now - started))
    }
}
