/// A change made through a mailbox, as ``Mailbox/events()`` reports it after it is saved:
/// what an IMAP server needs for IDLE and for untagged EXISTS, FETCH and EXPUNGE / VANISHED
/// responses in its other sessions on the same mailbox.
public enum MailboxEvent: Sendable, Hashable {
    /// A folder was created (also by renaming INBOX).
    case folderCreated(String)
    /// A folder and its messages were deleted.
    case folderDeleted(String)
    /// A folder (and every folder below it) was renamed.
    case folderRenamed(from: String, to: String)
    /// Messages were appended, copied or moved into a folder.
    case messagesAdded(folder: String, uids: [UInt32])
    /// Flags or keywords changed; each change carries the new state and MODSEQ.
    case flagsChanged(folder: String, changes: [MessageChange])
    /// Messages left a folder (expunge, or move to another folder).
    case messagesExpunged(folder: String, uids: [UInt32])
}
