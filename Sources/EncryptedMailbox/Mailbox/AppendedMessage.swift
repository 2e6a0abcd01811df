/// What `append` reports (for RFC 4315 APPENDUID).
public struct AppendedMessage: Sendable, Hashable {
    /// The folder's UIDVALIDITY.
    public var uidValidity: UInt32
    /// The new message's UID.
    public var uid: UInt32
    /// The new message's MODSEQ.
    public var modSeq: UInt64
}
