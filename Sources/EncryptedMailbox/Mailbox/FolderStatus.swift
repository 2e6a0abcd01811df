/// What IMAP LIST and STATUS report about a folder.
public struct FolderStatus: Sendable, Hashable {
    /// The full name, levels joined by ``Mailbox/delimiter`` (`Work/Projects`).
    public var name: String
    /// The special use, if any (RFC 6154).
    public var specialUse: SpecialUse?
    /// True when the user subscribed to it (IMAP LSUB / LIST (SUBSCRIBED)).
    public var isSubscribed: Bool
    /// UIDVALIDITY: changes whenever a folder of this name is created anew, so clients drop
    /// cached UIDs. Never 0.
    public var uidValidity: UInt32
    /// UIDNEXT: the UID the next appended message will get. Never goes down.
    public var uidNext: UInt32
    /// Number of messages.
    public var messageCount: Int
    /// Number of messages without `\Seen`.
    public var unseenCount: Int
    /// HIGHESTMODSEQ (RFC 7162): the MODSEQ of the latest change to any message in the
    /// folder, expunges included. Strictly grows with each change.
    public var highestModSeq: UInt64

    /// A status from its parts.
    public init(
        name: String, specialUse: SpecialUse?, isSubscribed: Bool, uidValidity: UInt32, uidNext: UInt32,
        messageCount: Int, unseenCount: Int, highestModSeq: UInt64
    ) {
        self.name = name
        self.specialUse = specialUse
        self.isSubscribed = isSubscribed
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.messageCount = messageCount
        self.unseenCount = unseenCount
        self.highestModSeq = highestModSeq
    }
}
