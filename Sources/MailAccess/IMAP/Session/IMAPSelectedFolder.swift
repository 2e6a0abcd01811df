/// The selected state of a session: which folder, how, and the client's view of it.
struct IMAPSelectedFolder: Sendable {
    /// The folder's name as the mailbox spells it (INBOX uppercased); follows renames.
    var name: String
    /// EXAMINE, or SELECT of a folder that cannot be written: no flag changes, no expunge.
    var readOnly: Bool
    /// The folder's UIDVALIDITY at SELECT.
    var uidValidity: UInt32
    /// The messages as the client knows them and the updates it has not heard yet.
    var sequence: IMAPMessageSequence
    /// The HIGHESTMODSEQ up to which the mailbox's own record was last read (at SELECT and
    /// each poll), and the last UID known then.
    var syncedModSeq: UInt64
    var syncedLastUID: UInt32
    /// The folder was deleted elsewhere: every message is reported removed and commands
    /// that read or change it answer NO.
    var isDeleted = false
    /// Every message's flags as read at SELECT and kept up to date by state-only FETCHes
    /// (``IMAPFolderState``); nil when not read.
    var state: IMAPFolderState?
    /// The messages `\Recent` in this session (IMAP4rev1 only): claimed when read-write,
    /// seen unclaimed when read-only.
    var recent = IMAPRecentMessages()
    /// The count the client was last told in `* n RECENT`.
    var reportedRecentCount = 0
}
