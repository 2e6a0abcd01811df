/// Everything that changed in a folder after a MODSEQ (RFC 7162 CHANGEDSINCE, RFC 7162 QRESYNC VANISHED).
public struct FolderChanges: Sendable, Hashable {
    /// Messages added or whose flags changed, ascending by UID, with their current state.
    public var changed: [MessageChange]
    /// UIDs expunged (or moved away) after the MODSEQ, ascending.
    public var vanished: [UInt32]
    /// The folder's HIGHESTMODSEQ now.
    public var highestModSeq: UInt64

    /// Changes from their parts.
    public init(changed: [MessageChange], vanished: [UInt32], highestModSeq: UInt64) {
        self.changed = changed
        self.vanished = vanished
        self.highestModSeq = highestModSeq
    }
}
