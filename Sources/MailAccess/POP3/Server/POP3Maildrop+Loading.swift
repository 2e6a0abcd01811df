import EncryptedMailbox

extension POP3Maildrop {
    /// The maildrop as `folder` of `mailbox` holds it now: every message not flagged
    /// `\Deleted` (an IMAP client's pending deletions stay hidden), ascending by UID, with
    /// its size as the mailbox keeps it (in RFC 5322 form, ``MessageSize``: a stored bare LF
    /// counts two octets, as RETR sends it; a CRLF RETR adds after a last line without one
    /// is not counted). One metadata fetch: no message is read.
    /// - Throws: the mailbox's errors.
    static func load(from mailbox: any Mailbox, folder: String) async throws -> POP3Maildrop {
        let status = try await mailbox.status(of: folder)
        let listed = try await mailbox.fetch(.all, in: folder, content: .metadata)
        let messages = listed.filter { !$0.flags.contains(.deleted) }.map { message in
            Message(uid: message.uid, size: max(0, message.size), uniqueID: uniqueID(uidValidity: status.uidValidity, uid: message.uid))
        }
        return POP3Maildrop(messages: messages.sorted { $0.uid < $1.uid })
    }
}
