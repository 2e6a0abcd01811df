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
    /// The folder was deleted elsewhere: every message is reported removed and commands
    /// that read or change it answer NO.
    var isDeleted = false
}
