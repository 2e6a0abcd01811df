/// A message a client handed to an ``SMTPServerSession``: the envelope and the content,
/// dot-unstuffed, CRLF line ends, without the final `.` line.
public struct SMTPReceivedMessage: Sendable, Hashable {
    /// The reverse-path; empty for the null sender `<>`.
    public let sender: String
    /// The accepted forward-paths, in order.
    public let recipients: [String]
    /// The message (RFC 5322) exactly as received, dots unstuffed.
    public let content: [UInt8]
    /// Whether the client asked for SMTPUTF8 in MAIL (RFC 6531).
    public let usesSMTPUTF8: Bool

    /// A received message.
    public init(sender: String, recipients: [String], content: [UInt8], usesSMTPUTF8: Bool) {
        self.sender = sender
        self.recipients = recipients
        self.content = content
        self.usesSMTPUTF8 = usesSMTPUTF8
    }
}
