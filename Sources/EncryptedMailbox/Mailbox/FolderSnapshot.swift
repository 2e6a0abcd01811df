/// A folder's status and the state of every message in it, read at one moment: what an
/// IMAP SELECT needs (EXISTS, UIDNEXT, the flags in use, the first unseen message,
/// HIGHESTMODSEQ) in one read.
public struct FolderSnapshot: Sendable, Hashable {
    /// The folder's status; its `highestModSeq` is the MODSEQ the messages are exact up to.
    public var status: FolderStatus
    /// Every message of the folder, ascending by UID, with its flags, keywords and MODSEQ.
    public var messages: [MessageChange]

    /// A snapshot from its parts.
    public init(status: FolderStatus, messages: [MessageChange]) {
        self.status = status
        self.messages = messages
    }
}
