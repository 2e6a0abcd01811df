/// Limits on one mailbox's size, enforced on append and copy (RFC 9208 STORAGE and MESSAGE).
public struct MailboxQuota: Sendable, Hashable {
    /// Most bytes of messages, counted as the sum of message sizes over all folders (a
    /// copied message counts again). nil: no limit.
    public var maxBytes: Int?
    /// Most messages over all folders. nil: no limit.
    public var maxMessages: Int?
    /// Largest single message accepted by append (IMAP APPENDLIMIT, RFC 7889). nil: no limit.
    public var maxMessageBytes: Int?

    /// A quota; the defaults are no limits.
    public init(maxBytes: Int? = nil, maxMessages: Int? = nil, maxMessageBytes: Int? = nil) {
        self.maxBytes = maxBytes
        self.maxMessages = maxMessages
        self.maxMessageBytes = maxMessageBytes
    }

    /// No limits.
    public static let unlimited = MailboxQuota()
}

/// How much of its quota a mailbox uses.
public struct MailboxUsage: Sendable, Hashable {
    /// Sum of message sizes over all folders.
    public var bytes: Int
    /// Number of messages over all folders.
    public var messages: Int
    /// The limits.
    public var quota: MailboxQuota
}
