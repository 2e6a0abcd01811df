/// What `copy` and `move` report (for RFC 4315 COPYUID): source and destination UIDs pair up by index.
public struct CopiedMessages: Sendable, Hashable {
    /// The destination folder's UIDVALIDITY.
    public var destinationUIDValidity: UInt32
    /// UIDs in the source folder, ascending.
    public var sourceUIDs: [UInt32]
    /// The new UIDs in the destination folder, in the same order.
    public var destinationUIDs: [UInt32]
}
