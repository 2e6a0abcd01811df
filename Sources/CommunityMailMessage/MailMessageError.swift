/// An error from the message model: a message that cannot be built, or a file that is not
/// in the format it claims.
///
/// Errors of the same kind compare equal whatever their messages, so callers match them
/// with `==` against the static values. Messages never quote addresses, header values or
/// message content: those may be personal, or hostile.
public struct MailMessageError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case invalidAddress, invalidHeader, invalidMbox, io
    }

    private let code: Code
    /// What went wrong, in words a person can act on.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// An address cannot be written into a header or an SMTP envelope: empty, without `@`,
    /// longer than 254 bytes, or holding a line break, a space or an angle bracket.
    public static let invalidAddress = MailMessageError(.invalidAddress, "an address cannot be used in a message")
    /// A header field name is not printable ASCII without spaces and colons.
    public static let invalidHeader = MailMessageError(.invalidHeader, "a header field name is not valid")
    /// An mbox file does not start with a `From ` line.
    public static let invalidMbox = MailMessageError(.invalidMbox, "not an mbox file")
    /// Reading a file failed.
    public static let io = MailMessageError(.io, "file input/output failed")

    /// `self` with a more specific message.
    public func with(message: String) -> MailMessageError { MailMessageError(code, message) }

    /// Errors of the same kind are equal, whatever their messages.
    public static func == (lhs: MailMessageError, rhs: MailMessageError) -> Bool { lhs.code == rhs.code }
    /// Hashes the kind only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    /// The message.
    public var description: String { "MailMessageError: \(message)" }
}
