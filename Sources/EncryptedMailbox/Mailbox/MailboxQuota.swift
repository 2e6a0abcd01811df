/// Limits on one mailbox's size, enforced on append and copy (RFC 9208 STORAGE and MESSAGE).
public struct MailboxQuota: Sendable, Hashable {
    /// Most bytes of messages, counted as the sum of message sizes over all folders (each
    /// in RFC 5322 form, ``MessageSize``; a copied message counts again). nil: no limit.
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
