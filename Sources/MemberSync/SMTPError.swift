/// Why a notice was not handed to the SMTP relay.
public struct SMTPError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case cannotConnect, timeout, protocolError, rejected, tlsUnavailable, tlsFailed, invalidAddress, insecureConfiguration
    }

    private let code: Code
    /// What happened, with the relay's reply where there was one. Never contains the
    /// message body or credentials.
    public let message: String
    /// The relay's reply code (e.g. 550), when the error came from a reply.
    public let replyCode: Int?

    private init(_ code: Code, _ message: String, replyCode: Int? = nil) {
        self.code = code
        self.message = message
        self.replyCode = replyCode
    }

    /// The relay could not be reached.
    public static let cannotConnect = SMTPError(.cannotConnect, "cannot connect to the SMTP relay")
    /// The relay did not answer in time.
    public static let timeout = SMTPError(.timeout, "the SMTP relay did not answer in time")
    /// The relay said something that is not SMTP, or closed the connection.
    public static let protocolError = SMTPError(.protocolError, "the SMTP conversation broke off")
    /// The relay refused the sender, a recipient or the message.
    public static let rejected = SMTPError(.rejected, "the SMTP relay refused the message")
    /// TLS is required but the relay does not offer STARTTLS.
    public static let tlsUnavailable = SMTPError(.tlsUnavailable, "the SMTP relay does not offer STARTTLS")
    /// The STARTTLS handshake failed (for example an untrusted certificate).
    public static let tlsFailed = SMTPError(.tlsFailed, "STARTTLS with the SMTP relay failed")
    /// The configuration would send without protection: an empty TLS server name (no
    /// host name check), or plaintext to a relay that is not on loopback.
    public static let insecureConfiguration = SMTPError(.insecureConfiguration, "the SMTP configuration is not safe to use")
    /// An address cannot be used in an SMTP envelope (CR, LF, angle brackets).
    public static let invalidAddress = SMTPError(.invalidAddress, "an address is not usable in SMTP")

    /// `self` with a more specific message.
    public func with(message: String, replyCode: Int? = nil) -> SMTPError {
        SMTPError(code, message, replyCode: replyCode ?? self.replyCode)
    }

    /// True when a later attempt may succeed (connection trouble, timeouts, 4xx replies).
    public var isTransient: Bool {
        code == .cannotConnect || code == .timeout || (replyCode.map { (400..<500).contains($0) } ?? false)
    }

    /// Same kind, whatever the message.
    public static func == (lhs: SMTPError, rhs: SMTPError) -> Bool { lhs.code == rhs.code }
    /// Hashes the kind.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    /// The message.
    public var description: String { "SMTPError: \(message)" }
}
