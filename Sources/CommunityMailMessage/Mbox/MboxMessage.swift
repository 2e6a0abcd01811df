public import Foundation

/// One message of an mbox file: its bytes (unquoted) and its `From ` separator line's
/// sender and date.
public struct MboxMessage: Sendable, Hashable {
    /// The message, byte-exact, with mboxrd quoting removed.
    public var content: [UInt8]
    /// The envelope sender on the `From ` line (`MAILER-DAEMON` when unknown).
    public var sender: String
    /// The date on the `From ` line, if it parses; the mailbox's internal date.
    public var date: Date?

    /// A message from its parts.
    public init(content: [UInt8], sender: String, date: Date?) {
        self.content = content
        self.sender = sender
        self.date = date
    }
}
