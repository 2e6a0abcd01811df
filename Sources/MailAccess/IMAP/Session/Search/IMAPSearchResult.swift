/// What a SEARCH found: the UIDs and, for keys with MODSEQ, the highest MODSEQ among them.
public struct IMAPSearchResult: Sendable, Hashable {
    /// The matching UIDs, ascending.
    public var uids: [UInt32]
    /// The highest MODSEQ of the matches when the keys held MODSEQ and something matched
    /// (RFC 7162 section 3.1.5); nil otherwise.
    public var highestModSeq: UInt64?

    /// A result from its parts.
    public init(uids: [UInt32], highestModSeq: UInt64?) {
        self.uids = uids
        self.highestModSeq = highestModSeq
    }
}
