/// One node of a conversation tree (RFC 5256 THREAD=REFERENCES): a message, or a gap
/// where a referenced message is not in the folder, with its replies below it.
public struct MessageThreadNode: Sendable, Hashable {
    /// The message's UID, or nil for a message that is referenced but absent.
    public var uid: UInt32?
    /// The replies, oldest first (by Date header, then UID).
    public var children: [MessageThreadNode]

    /// A node from its parts.
    public init(uid: UInt32?, children: [MessageThreadNode] = []) {
        self.uid = uid
        self.children = children
    }
}
