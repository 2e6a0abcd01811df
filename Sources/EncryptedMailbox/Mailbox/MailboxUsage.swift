/// How much of its quota a mailbox uses.
public struct MailboxUsage: Sendable, Hashable {
    /// Sum of message sizes (in RFC 5322 form, ``MessageSize``) over all folders.
    public var bytes: Int
    /// Number of messages over all folders.
    public var messages: Int
    /// The limits.
    public var quota: MailboxQuota
}
