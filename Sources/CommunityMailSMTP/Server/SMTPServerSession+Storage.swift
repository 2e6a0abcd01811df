extension SMTPServerSession {
    /// 452 4.3.1, insufficient system storage (RFC 1870 section 6.1, RFC 3463): the reply
    /// to a MAIL whose SIZE does not fit ``messageStorageAvailable``, and what a host
    /// usually passes to ``refuseMessage(_:)`` when its memory for messages runs out.
    public static let insufficientStorage = SMTPReply(452, "4.3.1 insufficient system storage, try again later")

    /// The octets of the message being received that the session holds now: 0 outside
    /// DATA, and once the message was refused (its content is dropped then).
    public var messageBytesHeld: Int { content.count }

    /// Refuses the message being received: its content is dropped at once, the rest of it
    /// is read and discarded (never buffered), and `reply` answers its final dot. Does
    /// nothing outside DATA or when the message is already refused (the first refusal is
    /// the answer).
    public mutating func refuseMessage(_ reply: SMTPReply) {
        guard phase == .data, dataRefusal == nil else { return }
        content = []
        dataRefusal = reply
    }
}
