import EncryptedMailbox

extension IMAPSession {
    /// True when this session deals in `\Recent`: IMAP4rev1 only (RFC 9051 Appendix E drops
    /// the flag, the RECENT response and STATUS RECENT from IMAP4rev2). A rev2 session
    /// claims nothing, so it takes no message's `\Recent` from a rev1 session.
    var tracksRecent: Bool { !extensions.imap4rev2 }

    /// The folder's unclaimed `\Recent` UIDs below `bound` (one past the last UID this
    /// session has reported or is about to report), for the selection of `name` with
    /// `uidValidity`: a read-write selection claims them (RFC 3501 section 2.3.2: recent in
    /// the first session notified of them, and only there), a read-only one (EXAMINE) reads
    /// them without claiming, as Dovecot does. The mailbox checks the UIDVALIDITY in the
    /// claim itself, so a folder deleted and made again meanwhile loses nothing: its
    /// messages stay unclaimed for the next session, and this gets nil. Nil too when the
    /// folder could not be read.
    func unclaimedRecent(in name: String, uidValidity: UInt32, below bound: UInt32, readOnly: Bool) async -> Range<UInt32>? {
        guard tracksRecent else { return nil }
        if !readOnly {
            do {
                let claim = try await mailbox.claimRecent(in: name, uidValidity: uidValidity, below: bound)
                return claim.uidValidity == uidValidity ? claim.uids : nil
            } catch let error as MailboxError where error == .readOnly {
                // A mailbox opened read-only: every session only reads, as under EXAMINE.
            } catch {
                return nil
            }
        }
        guard let status = try? await mailbox.status(of: name), status.uidValidity == uidValidity else { return nil }
        let first = min(status.firstRecentUID, status.uidNext)
        return first..<max(first, min(bound, status.uidNext))
    }

    /// Takes the unclaimed `\Recent` messages into the selection after it learned of new
    /// ones (the untagged EXISTS about to be sent): those up to `bound`, one past the last
    /// UID that EXISTS reports, so messages this session has not reported stay for the
    /// session that reports them first.
    func takeRecentForNewMessages(below bound: UInt32) async {
        guard tracksRecent, let folder = selected, !folder.isDeleted else { return }
        guard let uids = await unclaimedRecent(in: folder.name, uidValidity: folder.uidValidity, below: bound, readOnly: folder.readOnly)
        else { return }
        guard var current = selected, current.name == folder.name, current.uidValidity == folder.uidValidity else { return }
        current.recent.insert(uids)
        selected = current
    }

    /// `* n RECENT` when the count of recent messages the client knows changed since it was
    /// last told (as Dovecot: after new messages and after expunges).
    func writeRecentCountIfChanged(to writer: some IMAPResponseWriter) async throws {
        guard tracksRecent, var folder = selected else { return }
        let count = folder.recent.count(among: folder.sequence.uids)
        guard count != folder.reportedRecentCount else { return }
        folder.reportedRecentCount = count
        selected = folder
        try await writer.write(.untagged(.recent(UInt32(clamping: count))))
    }

    /// The `\Recent` messages of the selection as FETCH FLAGS shows them: none under IMAP4rev2.
    var recentInSelection: IMAPRecentMessages {
        guard tracksRecent, let folder = selected else { return IMAPRecentMessages() }
        return folder.recent
    }
}
