/// One message's state after a change, as `store` and `changes(since:)` report it.
public struct MessageChange: Sendable, Hashable {
    /// The UID.
    public var uid: UInt32
    /// System flags now.
    public var flags: MessageFlags
    /// Keywords now, sorted.
    public var keywords: [String]
    /// The message's MODSEQ now.
    public var modSeq: UInt64

    /// A change from its parts.
    public init(uid: UInt32, flags: MessageFlags, keywords: [String], modSeq: UInt64) {
        self.uid = uid
        self.flags = flags
        self.keywords = keywords
        self.modSeq = modSeq
    }
}
