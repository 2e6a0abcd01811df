import EncryptedMailbox
import Foundation

extension IMAPSession {
    /// Starts reading the mailbox's events, once: before the first command reads anything,
    /// so no change saved after that read goes unseen.
    func followEvents() async {
        guard eventTask == nil, !isClosed else { return }
        let events = await mailbox.events()
        eventTask = Task.detached { [weak self] in
            for await event in events {
                guard let self else { return }
                await self.receive(event)
            }
        }
    }

    /// Notes one event of the mailbox against the selected folder (kept for later while a
    /// SELECT reads the folder, so a change saved during the read is not lost).
    func receive(_ event: MailboxEvent) {
        if eventsDuringSelect != nil {
            eventsDuringSelect?.append(event)
            return
        }
        guard var folder = selected else { return }
        Self.apply(event, to: &folder)
        selected = folder
        if folder.sequence.hasPendingUpdates { wakeAll() }
    }

    /// Applies one event to a selection.
    static func apply(_ event: MailboxEvent, to folder: inout IMAPSelectedFolder) {
        // Events for a name whose folder was deleted belong to whatever folder has it now.
        guard !folder.isDeleted else { return }
        switch event {
        case .messagesAdded(let name, let uids) where name == folder.name:
            folder.sequence.noteAdded(uids)
        case .messagesExpunged(let name, let uids) where name == folder.name:
            folder.sequence.noteExpunged(uids)
        case .flagsChanged(let name, let changes) where name == folder.name:
            folder.sequence.noteFlagChanges(changes)
        case .folderDeleted(let name) where name == folder.name:
            folder.sequence.noteAllExpunged()
            folder.isDeleted = true
        case .folderRenamed(let from, let to):
            if folder.name == from {
                folder.name = to
            } else if folder.name.hasPrefix(from + String(Self.delimiter)) {
                folder.name = to + folder.name.dropFirst(from.count)
            }
        default:
            break
        }
    }

    /// Reads the mailbox's record of the selected folder's changes since the last read and
    /// notes them like events (the dedupe by UID and MODSEQ drops what events already
    /// brought). A failure is left for the next command to meet.
    func pollMailbox() async {
        guard let folder = selected, !folder.isDeleted else { return }
        guard let changes = try? await mailbox.changes(in: folder.name, since: folder.syncedModSeq) else { return }
        guard var current = selected, current.name == folder.name, !current.isDeleted else { return }
        current.sequence.noteState(changes, lastKnownUID: current.syncedLastUID)
        current.syncedModSeq = max(current.syncedModSeq, changes.highestModSeq)
        current.syncedLastUID = current.sequence.lastUID
        selected = current
        if current.sequence.hasPendingUpdates { wakeAll() }
    }

    /// True when the selected folder has updates the client has not heard.
    var hasPendingUpdates: Bool { selected?.sequence.hasPendingUpdates ?? false }

    /// Resumes one waiter (its task was cancelled).
    func wake(_ id: UUID) {
        updateWaiters.removeValue(forKey: id)?.resume()
    }

    /// Resumes every waiter.
    func wakeAll() {
        let waiters = updateWaiters.values
        updateWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    /// Writes the pending updates of the selected folder: removals (EXPUNGE, or VANISHED
    /// under QRESYNC) when allowed, then EXISTS, then FETCH of flags changed elsewhere
    /// (with UID under QRESYNC, MODSEQ under CONDSTORE).
    func writeUpdates(to writer: some IMAPResponseWriter, includingExpunges: Bool) async throws {
        guard var folder = selected else { return }
        let updates = folder.sequence.takeUpdates(includingExpunges: includingExpunges)
        selected = folder
        guard !updates.isEmpty else { return }
        // New messages: this session reports them, so the unclaimed ones are \Recent here
        // (only up to the last one this EXISTS covers).
        if updates.exists != nil { await takeRecentForNewMessages(below: folder.sequence.lastUID &+ 1) }
        let recent = recentInSelection
        if extensions.qresync, !updates.expunged.isEmpty {
            try await writer.write(.untagged(.vanished(earlier: false, uids: IMAPSequenceSet(compacting: updates.expunged.map(\.uid)))))
        } else {
            for removal in updates.expunged { try await writer.write(.untagged(.expunge(removal.sequenceNumber))) }
        }
        if let exists = updates.exists { try await writer.write(.untagged(.exists(exists))) }
        try await writeRecentCountIfChanged(to: writer)
        for (number, change) in updates.flagChanges {
            var items: [IMAPFetchItem] = []
            if extensions.qresync { items.append(.uid(change.uid)) }
            items.append(.flags(IMAPFlagNames.names(change.flags, keywords: change.keywords, recent: recent.contains(change.uid))))
            if extensions.condStore { items.append(.modSeq(change.modSeq)) }
            try await writer.write(.untagged(.fetch(number, items)))
        }
    }

    /// The hierarchy delimiter of every mailbox.
    static var delimiter: Character { "/" }
}
