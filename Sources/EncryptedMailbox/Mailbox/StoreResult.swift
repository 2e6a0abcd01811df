/// What `store` did (RFC 7162 STORE with UNCHANGEDSINCE).
public struct StoreResult: Sendable, Hashable {
    /// Messages whose flags or keywords changed, with their new state and MODSEQ. Messages
    /// already in the asked-for state are not listed and keep their MODSEQ.
    public var changed: [MessageChange]
    /// UIDs left alone because their MODSEQ was above `unchangedSince` (the MODIFIED response code).
    public var modified: [UInt32]
}
