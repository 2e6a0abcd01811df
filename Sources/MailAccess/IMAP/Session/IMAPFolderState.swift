import EncryptedMailbox

/// Every message's flags, keywords and MODSEQ in the selected folder as the mailbox held
/// them at ``modSeq``: read whole at SELECT, brought up to date with the changes since
/// (`changes(in:since: modSeq)`, one look-up of the MODSEQ index when nothing changed), so
/// the `UID FETCH 1:* (FLAGS)` a syncing client sends next does not read every message
/// again. Pure.
struct IMAPFolderState: Sendable, Hashable {
    /// The messages, ascending by UID.
    private(set) var messages: [MessageChange]
    /// The folder's HIGHESTMODSEQ the messages are exact up to.
    private(set) var modSeq: UInt64

    /// The state read at `modSeq`; `messages` ascending by UID.
    init(messages: [MessageChange], modSeq: UInt64) {
        self.messages = messages
        self.modSeq = modSeq
    }

    /// Brings the state up to `changes.highestModSeq`: vanished messages removed, changed
    /// (or added) ones replaced or inserted in UID order.
    mutating func apply(_ changes: FolderChanges) {
        modSeq = max(modSeq, changes.highestModSeq)
        // Nothing changed (a syncing client's usual case): the messages stay shared with the
        // selected folder's copy rather than being copied to be left as they are.
        guard !changes.vanished.isEmpty || !changes.changed.isEmpty else { return }
        if !changes.vanished.isEmpty {
            let vanished = Set(changes.vanished)
            messages.removeAll { vanished.contains($0.uid) }
        }
        var appended: [MessageChange] = []
        for change in changes.changed {
            let index = messages.sortedIndex(notBelow: change.uid, by: \.uid)
            if index < messages.count, messages[index].uid == change.uid {
                messages[index] = change
            } else if index == messages.count {
                appended.append(change)
            } else {
                messages.insert(change, at: index)
            }
        }
        if !appended.isEmpty {
            appended.sort { $0.uid < $1.uid }
            messages.append(contentsOf: appended)
        }
    }

    /// The state of the message with `uid`, if the folder holds it.
    func message(_ uid: UInt32) -> MessageChange? {
        let index = messages.sortedIndex(notBelow: uid, by: \.uid)
        return index < messages.count && messages[index].uid == uid ? messages[index] : nil
    }
}
