import EncryptedMailbox

extension POP3Maildrop {
    /// The maildrop as `folder` of `mailbox` holds it now: every message not flagged
    /// `\Deleted` (an IMAP client's pending deletions stay hidden), ascending by UID, with
    /// its CRLF-normalised size. The contents are read `batch` messages at a time to
    /// measure them (a stored bare LF counts two octets, as RETR sends it).
    /// - Throws: the mailbox's errors.
    static func load(from mailbox: any Mailbox, folder: String, batch: Int) async throws -> POP3Maildrop {
        let status = try await mailbox.status(of: folder)
        let listed = try await mailbox.fetch(.all, in: folder, content: .metadata)
        let uids = listed.filter { !$0.flags.contains(.deleted) }.map(\.uid)
        var messages: [Message] = []
        messages.reserveCapacity(uids.count)
        var start = 0
        while start < uids.count {
            let chunk = uids[start..<min(start + batch, uids.count)]
            start += chunk.count
            let fetched = try await mailbox.fetch(UIDSet(chunk), in: folder, content: .whole)
            for message in fetched {
                messages.append(Message(
                    uid: message.uid, size: POP3MessageEncoder.normalizedSize(of: message.content ?? []),
                    uniqueID: uniqueID(uidValidity: status.uidValidity, uid: message.uid)))
            }
        }
        return POP3Maildrop(messages: messages.sorted { $0.uid < $1.uid })
    }
}
