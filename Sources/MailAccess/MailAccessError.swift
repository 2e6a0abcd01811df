public import CommunityMailSystem

/// Why a MailAccess server or session operation failed.
///
/// Protocol problems a client causes are answered on the wire (IMAP `BAD`/`NO`, POP3
/// `-ERR`) and never thrown to the host. These errors are for the host: a configuration
/// that cannot be used, a listener that cannot start, a mailbox that cannot be opened.
/// Compare with the static values. ``message`` never contains a user name, a password or
/// message bytes.
public struct MailAccessError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case invalidConfiguration, authenticationFailed, mailboxUnavailable, protocolViolation, limitExceeded, io
    }

    private let parts: ErrorParts<Code>
    /// What is wrong, in words (never a user name, a password or message bytes).
    public var message: String { parts.message }
    /// The failure underneath (a mailbox or network error). Not part of equality.
    public var cause: (any Error)? { parts.cause }

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) { parts = ErrorParts(code, message, cause: cause) }

    /// A configuration that cannot be used (a limit out of range, TLS required but no
    /// certificate given).
    public static let invalidConfiguration = MailAccessError(.invalidConfiguration, "the configuration is not valid")
    /// The credentials were refused: unknown user, wrong password, or login not allowed.
    public static let authenticationFailed = MailAccessError(.authenticationFailed, "authentication failed")
    /// The member's mailbox could not be opened or used (missing, locked, damaged).
    public static let mailboxUnavailable = MailAccessError(.mailboxUnavailable, "the mailbox is not available")
    /// Bytes that do not follow the protocol's grammar.
    public static let protocolViolation = MailAccessError(.protocolViolation, "the input does not follow the protocol")
    /// Input beyond a configured limit (line length, literal size, nesting depth, sessions).
    public static let limitExceeded = MailAccessError(.limitExceeded, "the input exceeds a limit")
    /// Reading from or writing to a connection failed.
    public static let io = MailAccessError(.io, "reading or writing the connection failed")

    /// `self` with a more specific message (which must not contain a user name or password).
    public func with(message: String) -> MailAccessError { MailAccessError(parts.code, message, cause: cause) }

    /// `self` with a more specific message and the failure underneath.
    public func with(message: String, cause: (any Error)?) -> MailAccessError { MailAccessError(parts.code, message, cause: cause) }

    /// True for ``io`` and ``mailboxUnavailable`` (a busy or locked mailbox may open later).
    public var isTransient: Bool { parts.code == .io || parts.code == .mailboxUnavailable }

    /// The message.
    public var description: String { "MailAccessError: \(message)" }
}
