public import CommunityMailSystem

/// Delivers messages by driving an ``SMTPClientStateMachine``: each command gets the
/// deadline RFC 5321 section 4.5.3.2 gives it.
///
/// Two ways in:
/// - ``connect(to:port:)`` opens a TCP connection to a server, and
///   ``send(_:over:security:tls:)`` delivers over it in plaintext, with STARTTLS
///   (RFC 3207) or with implicit TLS (RFC 8314), checking the server's certificate and name (unless
///   ``TLSOptions/verifiesCertificate`` is off: encryption only, and then no credentials).
///   The host looks at ``Connection/remoteAddress`` in between when its policy depends on
///   where the server is (plaintext only to loopback, say).
/// - ``send(_:over:security:)`` runs the conversation over any `ByteStream` (an
///   in-memory pipe in tests, a fake), the TLS handshake passed in as ``Security``.
///
/// `send` is all or nothing: a refused recipient is an ``SMTPError/rejected`` and no
/// message goes. `deliver` (``deliver(_:over:security:tls:)``, ``deliver(_:over:security:)``)
/// sends the message to the recipients the server accepts and reports a reply per
/// recipient (``SMTPDeliveryReport``): what a relay needs. Both run the same
/// ``SMTPClientStateMachine``.
public struct SMTPClient: Sendable {
    /// How the client introduces itself, authenticates and waits.
    public struct Configuration: Sendable {
        /// The name given in EHLO. Default: `localhost`; a host should give its own domain.
        public var heloName: String = "localhost"
        /// Credentials for AUTH PLAIN. Default: nil, no AUTH.
        public var credentials: SMTPCredentials?
        /// Whether credentials may go without TLS. Default: false.
        public var allowsPlaintextAuthentication: Bool = false
        /// Whether MAIL and every RCPT go in one write when the server offers PIPELINING
        /// (DATA follows once their replies are in). Default: true.
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
        /// Opening the TCP connection in ``SMTPClient/connect(to:port:)``: name resolution
        /// and the handshakes with all the host's addresses, each given a fair share of what
        /// is left (at least ``minimumAddressShare``), so one address that never answers
        /// cannot use it all. A look-up still running at the deadline is abandoned, not
        /// stopped: the system's resolver (`getaddrinfo`) cannot be interrupted, so it keeps
        /// its executor thread until it returns. RFC 5321 gives none.
        /// Default: 1 minute.
        public var connect: Duration = .seconds(60)
        /// The least time one address gets of ``connect`` when several are left to try
        /// (less only when less of the deadline is left). Default: 5 seconds.
        public var minimumAddressShare: Duration = .seconds(5)
        /// The 220 greeting. Default: 5 minutes.
        public var greeting: Duration = .seconds(5 * 60)
        /// The replies to EHLO, HELO, STARTTLS and AUTH (RFC 5321 does not name them; they
        /// get MAIL's), and the TLS handshake (after STARTTLS, or first with implicit TLS).
        /// Default: 5 minutes.
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
            connect = limit
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
        try Self.messageReply(try await converse(message, over: stream, encryption: Encryption(security), everyRecipient: true))
    }

    /// Delivers `message` over `stream` (just connected: the server's greeting comes first)
    /// to the recipients the server accepts, and closes the stream. Every recipient gets
    /// its RCPT whatever the others got (RFC 5321 section 3.3); DATA goes when at least one
    /// was accepted, otherwise the client ends with QUIT.
    /// - Returns: the server's reply to each RCPT and to the message (a refusal of the
    ///   message is in the report, not thrown).
    /// - Throws: ``SMTPError``: ``SMTPError/rejected`` when the server refused the
    ///   greeting, EHLO or the sender (MAIL); the others as ``send(_:over:security:)``.
    public func deliver(_ message: SMTPMessage, over stream: any ByteStream, security: Security) async throws(SMTPError) -> SMTPDeliveryReport {
        try await converse(message, over: stream, encryption: Encryption(security), everyRecipient: false)
    }

    /// The reply to the message in a report made with every recipient required (the state
    /// machine fails instead of reporting a refusal, so it is there and positive).
    static func messageReply(_ report: SMTPDeliveryReport) throws(SMTPError) -> SMTPReply {
        guard let reply = report.dataReply else {
            throw SMTPError.protocolError.with(message: "the SMTP conversation ended without a reply to the message")
        }
        return reply
    }

    /// How ``converse(_:over:encryption:everyRecipient:)`` encrypts the conversation.
    enum Encryption: Sendable {
        /// Plaintext throughout.
        case none
        /// STARTTLS, with `upgrade` running the handshake; when not `required`, only if the
        /// server offers it.
        case startTLS(required: Bool, upgrade: @Sendable (any ByteStream, ContinuousClock.Instant) async throws(NetworkError) -> any ByteStream)
        /// The stream is already encrypted (implicit TLS).
        case implicit

        /// Required STARTTLS with `security`'s handshake, or plaintext.
        init(_ security: Security) {
            switch security {
            case .plaintext: self = .none
            case .startTLS(let upgrade): self = .startTLS(required: true, upgrade: upgrade)
            }
        }
    }

    /// Runs one conversation over `stream` and closes it. With `everyRecipient`, a refused
    /// recipient or message is thrown (``SMTPClientStateMachine/Configuration/requiresEveryRecipient``).
    func converse(
        _ message: SMTPMessage, over stream: any ByteStream, encryption: Encryption, everyRecipient: Bool
    ) async throws(SMTPError) -> SMTPDeliveryReport {
        var machineConfiguration = SMTPClientStateMachine.Configuration(heloName: configuration.heloName)
        machineConfiguration.credentials = configuration.credentials
        machineConfiguration.allowsPlaintextAuthentication = configuration.allowsPlaintextAuthentication
        machineConfiguration.usesPipelining = configuration.usesPipelining
        machineConfiguration.replyLimits = configuration.replyLimits
        machineConfiguration.requiresEveryRecipient = everyRecipient
        let security: Security
        switch encryption {
        case .none:
            machineConfiguration.requiresTLS = false
            security = .plaintext
        case .startTLS(let required, let upgrade):
            machineConfiguration.requiresTLS = required
            machineConfiguration.startsTLSWhenOffered = true
            security = .startTLS(upgrade: upgrade)
        case .implicit:
            machineConfiguration.requiresTLS = false
            machineConfiguration.isImplicitTLS = true
            security = .plaintext
        }
        var conversation = Conversation(stream: stream, timeouts: configuration.timeouts)
        do throws(SMTPError) {
            let machine = try SMTPClientStateMachine(message: message, configuration: machineConfiguration)
            let report = try await conversation.run(machine, security: security)
            await conversation.close()
            return report
        } catch {
            await conversation.close()
            throw error
        }
    }
}
