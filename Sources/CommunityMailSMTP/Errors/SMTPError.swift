public import CommunityMailSystem

/// Why a message was not handed to an SMTP server.
///
/// Compare with the static values (`error == .rejected`); read ``isTransient`` to decide on
/// a retry. The description carries the reply code and enhanced status code a server gave,
/// never its reply text (servers repeat the refused address there), the message, or
/// credentials.
public struct SMTPError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case cannotConnect, timeout, protocolError, malformedReply, rejected, tlsUnavailable, tlsFailed
        case invalidAddress, invalidMessage, insecureConfiguration, extensionUnavailable, authenticationFailed, cancelled
    }

    private let parts: ErrorParts<Code>
    private var code: Code { parts.code }
    /// What happened, for people. Never contains the message, addresses or credentials.
    public var message: String { parts.message }
    /// The server's reply code (e.g. 550), when the error came from a reply.
    public let replyCode: Int?
    /// The server's enhanced status code (RFC 3463, e.g. 5.1.1), when its reply had one; for
    /// ``extensionUnavailable``, the code that names what is missing (5.3.4 the message is
    /// over the server's SIZE, 5.6.3 no 8BITMIME, 5.6.7 no SMTPUTF8).
    public let enhancedStatusCode: SMTPEnhancedStatusCode?
    /// The network failure underneath, when there was one.
    public let networkError: NetworkError?
    /// True for a ``rejected`` that refused the session before any transaction: a greeting
    /// other than 220, or EHLO and HELO refused. It says nothing about the message, so an MTA
    /// may try the domain's next MX (Postfix's `smtp_skip_5xx_greeting`).
    public let refusedSession: Bool

    private init(
        _ code: Code, _ message: String, replyCode: Int? = nil, enhancedStatusCode: SMTPEnhancedStatusCode? = nil,
        networkError: NetworkError? = nil, refusedSession: Bool = false
    ) {
        parts = ErrorParts(code, message)
        self.replyCode = replyCode
        self.enhancedStatusCode = enhancedStatusCode
        self.networkError = networkError
        self.refusedSession = refusedSession
    }

    /// The server could not be reached.
    public static let cannotConnect = SMTPError(.cannotConnect, "cannot connect to the SMTP server")
    /// The server did not answer (or take our bytes) before the command's deadline.
    public static let timeout = SMTPError(.timeout, "the SMTP server did not answer in time")
    /// The conversation broke off: the server closed the connection or the stream failed.
    public static let protocolError = SMTPError(.protocolError, "the SMTP conversation broke off")
    /// The server sent something that is not an SMTP reply (RFC 5321 section 4.2), or a
    /// reply longer than the configured limits.
    public static let malformedReply = SMTPError(.malformedReply, "the SMTP server sent a malformed reply")
    /// The server refused the greeting, a command, the sender, a recipient or the message.
    public static let rejected = SMTPError(.rejected, "the SMTP server refused the message")
    /// TLS is required but the server does not offer STARTTLS (RFC 3207).
    public static let tlsUnavailable = SMTPError(.tlsUnavailable, "the SMTP server does not offer STARTTLS")
    /// The STARTTLS handshake failed (for example a certificate that does not verify).
    public static let tlsFailed = SMTPError(.tlsFailed, "STARTTLS with the SMTP server failed")
    /// An address cannot be used in an SMTP envelope (CR, LF, angle brackets, spaces).
    public static let invalidAddress = SMTPError(.invalidAddress, "an address is not usable in SMTP")
    /// The message cannot be sent as it is (an empty message, a line longer than RFC 5321
    /// allows).
    public static let invalidMessage = SMTPError(.invalidMessage, "the message cannot be sent over SMTP")
    /// The configuration would send without protection (plaintext off loopback, credentials
    /// in the clear, an empty TLS server name).
    public static let insecureConfiguration = SMTPError(.insecureConfiguration, "the SMTP configuration is not safe to use")
    /// The message needs an extension the server does not offer (SMTPUTF8, 8BITMIME, a
    /// larger SIZE): ``enhancedStatusCode`` says which.
    public static let extensionUnavailable = SMTPError(.extensionUnavailable, "the SMTP server lacks an extension the message needs")
    /// The server refused the credentials (RFC 4954), or offers no mechanism the client
    /// speaks (AUTH PLAIN).
    public static let authenticationFailed = SMTPError(.authenticationFailed, "the SMTP server refused the credentials")

    /// The task sending the message was cancelled; what the server got is unknown.
    public static let cancelled = SMTPError(.cancelled, "sending was cancelled")

    /// `self` with a more specific message (and the reply's codes, if any).
    public func with(message: String, replyCode: Int? = nil) -> SMTPError {
        SMTPError(
            code, message, replyCode: replyCode ?? self.replyCode, enhancedStatusCode: enhancedStatusCode,
            networkError: networkError, refusedSession: refusedSession)
    }

    /// `self` with a more specific message and the RFC 3463 code of a failure found without
    /// a reply.
    func with(message: String, enhancedStatusCode: SMTPEnhancedStatusCode) -> SMTPError {
        SMTPError(code, message, replyCode: replyCode, enhancedStatusCode: enhancedStatusCode, networkError: networkError)
    }

    /// `self` for `reply`: its code and enhanced status code kept, its text left out.
    func with(message: String, reply: SMTPReply, refusedSession: Bool = false) -> SMTPError {
        SMTPError(
            code, "\(message): \(reply.summary)", replyCode: reply.code, enhancedStatusCode: reply.enhancedStatusCode,
            refusedSession: refusedSession)
    }

    /// `self` caused by `networkError`, whose message is appended (it names the operation
    /// and the system's reason, never data).
    public func with(message: String, networkError: NetworkError) -> SMTPError {
        SMTPError(code, "\(message): \(networkError.message)", networkError: networkError)
    }

    /// True when a later attempt may succeed: the connection could not be made or broke, the
    /// server was slow, or it answered with a 4xx reply (RFC 5321 section 4.2.1: transient
    /// negative completion). 5xx replies, TLS and configuration failures repeat.
    public var isTransient: Bool {
        if let replyCode { return (400..<500).contains(replyCode) }
        switch code {
        // A name that does not exist stays so; refused or unanswered connections pass.
        case .cannotConnect: return networkError?.isTransient ?? true
        case .timeout: return true
        case .protocolError: return networkError?.isTransient ?? true
        default: return false
        }
    }

    /// Same kind, whatever the message, reply and cause.
    public static func == (lhs: SMTPError, rhs: SMTPError) -> Bool { lhs.parts == rhs.parts }
    /// Hashes the kind only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(parts) }
    /// The message.
    public var description: String { "SMTPError: \(message)" }
}
