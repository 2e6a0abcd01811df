public import CommunityMailSystem

/// Delivers messages over a `ByteStream` (a TCP connection, or an in-memory pipe in tests)
/// by driving an ``SMTPClientStateMachine``: each command gets the deadline RFC 5321
/// section 4.5.3.2 gives it, and STARTTLS runs the handshake the caller provides.
///
/// The client owns no sockets and no TLS: the host connects (and knows whether the peer is
/// on loopback), and passes how to upgrade the stream in ``Security``.
public struct SMTPClient: Sendable {
    /// How the client introduces itself, authenticates and waits.
    public struct Configuration: Sendable {
        /// The name given in EHLO. Default: `localhost`; a host should give its own domain.
        public var heloName: String = "localhost"
        /// Credentials for AUTH PLAIN. Default: nil, no AUTH.
        public var credentials: SMTPCredentials?
        /// Whether credentials may go without TLS. Default: false.
        public var allowsPlaintextAuthentication: Bool = false
        /// Whether MAIL, RCPT and DATA go in one write when the server offers PIPELINING.
        /// Default: true.
        public var usesPipelining: Bool = true
        /// How long and how many reply lines a server may send. Default: ``SMTPReplyParser/Limits/init()``.
        public var replyLimits = SMTPReplyParser.Limits()
        /// How long each step may take. Default: ``Timeouts/init()``, RFC 5321's.
        public var timeouts = Timeouts()

        /// The defaults above.
        public init() {}
    }

    /// How long the client waits at each step. The defaults are RFC 5321 section 4.5.3.2's
    /// minimums; a host that would rather fail fast and retry later sets shorter ones.
    public struct Timeouts: Sendable, Hashable {
        /// The 220 greeting. Default: 5 minutes.
        public var greeting: Duration = .seconds(5 * 60)
        /// The replies to EHLO, HELO, STARTTLS and AUTH (RFC 5321 does not name them; they
        /// get MAIL's), and the TLS handshake. Default: 5 minutes.
        public var command: Duration = .seconds(5 * 60)
        /// The reply to MAIL. Default: 5 minutes.
        public var mail: Duration = .seconds(5 * 60)
        /// The reply to each RCPT. Default: 5 minutes.
        public var recipient: Duration = .seconds(5 * 60)
        /// The 354 to DATA. Default: 2 minutes.
        public var dataInitiation: Duration = .seconds(2 * 60)
        /// Writing the message. Default: 3 minutes.
        public var dataBlock: Duration = .seconds(3 * 60)
        /// The reply to the final dot. Default: 10 minutes.
        public var dataTermination: Duration = .seconds(10 * 60)
        /// Writing QUIT, after the message went or the conversation failed (its reply is not
        /// awaited). Default: 10 seconds.
        public var quit: Duration = .seconds(10)

        /// The defaults above.
        public init() {}

        /// The same limit for every step, for a host that configures one timeout (a notifier
        /// talking to a local relay).
        public init(everyStep limit: Duration) {
            (greeting, command, mail, recipient) = (limit, limit, limit, limit)
            (dataInitiation, dataBlock, dataTermination, quit) = (limit, limit, limit, limit)
        }

        /// The timeout for waiting at `stage`.
        public func timeout(for stage: SMTPClientStateMachine.Stage) -> Duration {
            switch stage {
            case .greeting: greeting
            case .hello, .startTLS, .tlsHandshake, .authentication: command
            case .mail: mail
            case .recipient: recipient
            case .dataInitiation: dataInitiation
            case .dataTermination: dataTermination
            case .finished: quit
            }
        }
    }

    /// Whether and how the conversation is encrypted.
    public enum Security: Sendable {
        /// No TLS. Only for a server on loopback, which the host checks.
        case plaintext
        /// STARTTLS is required (RFC 3207): a server that does not offer it gets nothing,
        /// and `upgrade` runs the TLS handshake (with certificate and host name checks) over
        /// the stream after the server's 220, finishing before the deadline it is given
        /// (``Timeouts/command`` from now), and returns the encrypted stream (which owns the
        /// plaintext one).
        case startTLS(upgrade: @Sendable (any ByteStream, ContinuousClock.Instant) async throws(NetworkError) -> any ByteStream)
    }

    /// The configuration.
    public let configuration: Configuration

    /// A client with `configuration`.
    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Delivers `message` over `stream` (just connected: the server's greeting comes first)
    /// and closes the stream.
    /// - Returns: the server's reply to the message (its queue identifier is often there).
    /// - Throws: ``SMTPError``: ``SMTPError/rejected`` with the reply's codes for a refusal,
    ///   ``SMTPError/timeout`` when a step passed its deadline, ``SMTPError/tlsUnavailable``
    ///   or ``SMTPError/tlsFailed`` for STARTTLS, ``SMTPError/extensionUnavailable`` when
    ///   the message needs what the server lacks, ``SMTPError/malformedReply`` or
    ///   ``SMTPError/protocolError`` when the conversation broke.
    @discardableResult
    public func send(_ message: SMTPMessage, over stream: any ByteStream, security: Security) async throws(SMTPError) -> SMTPReply {
        var machineConfiguration = SMTPClientStateMachine.Configuration(heloName: configuration.heloName)
        machineConfiguration.credentials = configuration.credentials
        machineConfiguration.allowsPlaintextAuthentication = configuration.allowsPlaintextAuthentication
        machineConfiguration.usesPipelining = configuration.usesPipelining
        machineConfiguration.replyLimits = configuration.replyLimits
        if case .plaintext = security { machineConfiguration.requiresTLS = false }
        var conversation = Conversation(stream: stream, timeouts: configuration.timeouts)
        do throws(SMTPError) {
            let machine = try SMTPClientStateMachine(message: message, configuration: machineConfiguration)
            let reply = try await conversation.run(machine, security: security)
            await conversation.close()
            return reply
        } catch {
            await conversation.close()
            throw error
        }
    }
}
