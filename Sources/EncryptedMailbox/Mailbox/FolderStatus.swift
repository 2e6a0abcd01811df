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
    /// The first UID no session has claimed as `\Recent` yet (RFC 3501 section 2.3.2): the
    /// messages from it up to ``uidNext`` are recent for whoever claims them next with
    /// ``Mailbox/claimRecent(in:uidValidity:below:)``. At most ``uidNext``; at least 1.
    public var firstRecentUID: UInt32
    /// The number of messages from ``firstRecentUID`` up: recent, and not yet claimed.
    public var recentCount: Int

    /// A status from its parts; `firstRecentUID` defaults to `uidNext` (nothing recent).
    public init(
        name: String, specialUse: SpecialUse?, isSubscribed: Bool, uidValidity: UInt32, uidNext: UInt32,
        messageCount: Int, unseenCount: Int, highestModSeq: UInt64, firstRecentUID: UInt32? = nil, recentCount: Int = 0
    ) {
        self.name = name
        self.specialUse = specialUse
        self.isSubscribed = isSubscribed
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.messageCount = messageCount
        self.unseenCount = unseenCount
        self.highestModSeq = highestModSeq
        self.firstRecentUID = firstRecentUID ?? uidNext
        self.recentCount = recentCount
    }
}
