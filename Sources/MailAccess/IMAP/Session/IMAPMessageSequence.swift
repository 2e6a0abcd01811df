import EncryptedMailbox

/// The selected folder as one session's client knows it: message sequence numbers (MSN n is
/// `uids[n-1]`), the MODSEQ last reported for each message, and the changes made elsewhere
/// that the client has not been told about yet. A pure value: the session feeds it the
/// mailbox's events and its own changes, and takes the untagged updates from it when RFC 9051
/// section 7.5.1 allows them, so numbers change only when the client is told.
struct IMAPMessageSequence: Sendable, Hashable {
    /// The UIDs of the messages the client knows, ascending: MSN n is `uids[n - 1]`.
    private(set) var uids: [UInt32]
    /// The MODSEQ the client last saw (or the session last read) for each known message,
    /// `modSeqs[n - 1]` for `uids[n - 1]`; 0 when none was read yet (a message the client
    /// learned of from an EXISTS; MODSEQs start at 1). An array beside `uids` rather than a
    /// dictionary: SELECT of a large folder builds it in one pass.
    private var modSeqs: [UInt64]
    /// Messages added since the client was last told, ascending, all above `uids.last`.
    private var added: [UInt32] = []
    /// Known messages removed elsewhere (or by this session) and not yet reported.
    private var expunged: Set<UInt32> = []
    /// The latest unreported flag change of each known message.
    private var flagChanges: [UInt32: MessageChange] = [:]

    /// A sequence of the folder's messages as read at SELECT: their UIDs, flags and MODSEQs.
    init(messages: [MessageChange]) {
        // The mailbox reads them in UID order: sort only when they are not.
        let inOrder = zip(messages, messages.dropFirst()).allSatisfy { $0.uid < $1.uid }
        let sorted = inOrder ? messages : messages.sorted { $0.uid < $1.uid }
        uids = sorted.map(\.uid)
        modSeqs = sorted.map(\.modSeq)
    }

    /// The number of messages the client knows (its last EXISTS).
    var count: Int { uids.count }

    /// The MSN of `uid`, if the client knows the message.
    func sequenceNumber(of uid: UInt32) -> UInt32? {
        guard let index = index(of: uid) else { return nil }
        return UInt32(index + 1)
    }

    /// True when the client knows `uid` but it was removed and not yet reported.
    func isExpungedUnreported(_ uid: UInt32) -> Bool { expunged.contains(uid) }

    /// True when something is waiting to be reported.
    var hasPendingUpdates: Bool { !added.isEmpty || !expunged.isEmpty || !flagChanges.isEmpty }

    /// True when removals are waiting, which only some commands may report.
    var hasPendingExpunges: Bool { !expunged.isEmpty }

    // MARK: Changes

    /// Messages were added to the folder (by anyone). UIDs the client knows or was already
    /// told of are ignored, so the session's own APPEND and the hub's echo of it count once.
    mutating func noteAdded(_ newUIDs: [UInt32]) {
        for uid in newUIDs.sorted() where uid > (added.last ?? uids.last ?? 0) { added.append(uid) }
    }

    /// The folder's state read from the mailbox (`changes(in:since:)`: what other processes,
    /// or events a slow session missed, changed): new UIDs are added, vanished ones removed,
    /// flag changes noted. A message the client heard of after `lastKnownUID` was its last
    /// known UID has its MODSEQ recorded without a report: the client read its flags after
    /// its EXISTS.
    mutating func noteState(_ changes: FolderChanges, lastKnownUID: UInt32) {
        noteExpunged(changes.vanished)
        let newest = added.last ?? uids.last ?? 0
        noteAdded(changes.changed.filter { $0.uid > newest }.map(\.uid))
        for change in changes.changed where change.uid <= newest {
            if change.uid > lastKnownUID, let index = index(of: change.uid), modSeqs[index] == 0 {
                modSeqs[index] = change.modSeq
            } else {
                noteFlagChanges([change])
            }
        }
    }

    /// The largest UID the client knows or was told of.
    var lastUID: UInt32 { added.last ?? uids.last ?? 0 }

    /// Messages left the folder (by anyone). Unknown UIDs are ignored; messages added and
    /// removed before the client heard of them are simply forgotten.
    mutating func noteExpunged(_ removed: [UInt32]) {
        for uid in removed {
            if let position = added.sortedIndex(of: uid) {
                added.remove(at: position)
            } else if index(of: uid) != nil {
                expunged.insert(uid)
                flagChanges[uid] = nil
            }
        }
    }

    /// Flags changed (by anyone). Changes the client has already seen (a MODSEQ no higher
    /// than the one it knows: this session's own STORE, echoed by the hub) are ignored.
    mutating func noteFlagChanges(_ changes: [MessageChange]) {
        for change in changes {
            guard let index = index(of: change.uid), !expunged.contains(change.uid) else { continue }
            if change.modSeq <= modSeqs[index] { continue }
            if let pending = flagChanges[change.uid], pending.modSeq >= change.modSeq { continue }
            flagChanges[change.uid] = change
        }
    }

    /// The client was told this state (the session's own STORE or FETCH response): pending
    /// changes it supersedes are dropped and the hub's echo of it will be ignored.
    mutating func noteReported(_ change: MessageChange) {
        guard let index = index(of: change.uid) else { return }
        noteReported(change, at: index)
    }

    /// ``noteReported(_:)`` for the known message at `index` of ``uids``: for a caller that
    /// walks them in order (a FETCH of every message's flags) and knows where each is.
    mutating func noteReported(_ change: MessageChange, at index: Int) {
        guard index >= 0, index < uids.count, uids[index] == change.uid else { return noteReported(change) }
        if modSeqs[index] > change.modSeq { return }
        modSeqs[index] = change.modSeq
        if !flagChanges.isEmpty, let pending = flagChanges[change.uid], pending.modSeq <= change.modSeq { flagChanges[change.uid] = nil }
    }

    /// Every message is gone (the folder was deleted elsewhere).
    mutating func noteAllExpunged() {
        added.removeAll()
        flagChanges.removeAll()
        expunged = Set(uids)
    }

    // MARK: Reporting

    /// The untagged updates to send now, applied to the sequence: removals (only when
    /// `includingExpunges`; each with the MSN it has at the moment it is reported, in
    /// order, as `* n EXPUNGE` needs), the new EXISTS count, and flag changes with the
    /// MSN after both.
    mutating func takeUpdates(includingExpunges: Bool) -> IMAPSequenceUpdates {
        var updates = IMAPSequenceUpdates()
        if includingExpunges, !expunged.isEmpty {
            var kept: [UInt32] = [], keptModSeqs: [UInt64] = []
            kept.reserveCapacity(uids.count - min(uids.count, expunged.count))
            keptModSeqs.reserveCapacity(kept.capacity)
            for (index, uid) in uids.enumerated() {
                if expunged.contains(uid) {
                    updates.expunged.append((sequenceNumber: UInt32(index - updates.expunged.count + 1), uid: uid))
                } else {
                    kept.append(uid)
                    keptModSeqs.append(modSeqs[index])
                }
            }
            uids = kept
            modSeqs = keptModSeqs
            expunged.removeAll()
        }
        if !added.isEmpty {
            uids.append(contentsOf: added)
            modSeqs.append(contentsOf: repeatElement(0, count: added.count))
            added.removeAll()
            updates.exists = UInt32(uids.count)
        }
        for change in flagChanges.values.sorted(by: { $0.uid < $1.uid }) {
            guard !expunged.contains(change.uid), let index = index(of: change.uid) else { continue }
            if change.modSeq <= modSeqs[index] { continue }
            modSeqs[index] = change.modSeq
            let number = UInt32(index + 1)
            updates.flagChanges.append((sequenceNumber: number, change: change))
        }
        flagChanges.removeAll()
        return updates
    }

    // MARK: Sets

    /// The UIDs of the messages a set of sequence numbers names, ascending.
    /// - Throws: `IMAPSequenceSetError.outOfRange` when a number is above the message count
    ///   (`*` in an empty folder names nothing).
    func uids(forSequenceNumbers set: [IMAPSequenceRange]) throws(IMAPSequenceSetError) -> [UInt32] {
        let count = UInt32(uids.count)
        var ranges: [ClosedRange<UInt32>] = []
        ranges.reserveCapacity(set.count)
        for range in set {
            if count == 0, range.first == .last || range.second == .last { continue }
            let resolved = range.resolved(largest: count)
            guard resolved.lowerBound >= 1, resolved.upperBound <= count else { throw .outOfRange }
            ranges.append(resolved)
        }
        var result: [UInt32] = []
        for range in UIDSet.merge(ranges) { result.append(contentsOf: uids[Int(range.lowerBound - 1)..<Int(range.upperBound)]) }
        return result
    }

    /// The known UIDs a UID set names, ascending (`*` is the largest known UID; UIDs not
    /// known are left out, as RFC 9051 section 6.4.9 says).
    func uids(forUIDs set: [IMAPSequenceRange]) -> [UInt32] {
        guard let largest = uids.last else { return [] }
        var result: [UInt32] = []
        for range in UIDSet.merge(set.map { $0.resolved(largest: largest) }) {
            let start = uids.sortedIndex(notBelow: range.lowerBound)
            var end = start
            while end < uids.count, uids[end] <= range.upperBound { end += 1 }
            result.append(contentsOf: uids[start..<end])
        }
        return result
    }

    /// The known UIDs among `candidates` (a saved search result), ascending.
    func knownUIDs(among candidates: [UInt32]) -> [UInt32] {
        candidates.sorted().filter { index(of: $0) != nil }
    }

    /// The values of `sortedValues` (ascending) inside `set`, `*` standing for `largest`:
    /// one walk over both after the ranges are sorted, however many of either a client sends.
    static func values(_ sortedValues: [UInt32], in set: [IMAPSequenceRange], largest: UInt32) -> [UInt32] {
        let ranges = UIDSet.merge(set.map { $0.resolved(largest: largest) })
        var result: [UInt32] = []
        var rangeIndex = 0
        for value in sortedValues {
            while rangeIndex < ranges.count, ranges[rangeIndex].upperBound < value { rangeIndex += 1 }
            guard rangeIndex < ranges.count else { break }
            if ranges[rangeIndex].contains(value) { result.append(value) }
        }
        return result
    }

    private func index(of uid: UInt32) -> Int? { uids.sortedIndex(of: uid) }

    /// Sequences are equal when the client knows the same messages and the same updates wait.
    static func == (lhs: IMAPMessageSequence, rhs: IMAPMessageSequence) -> Bool {
        lhs.uids == rhs.uids && lhs.modSeqs == rhs.modSeqs && lhs.added == rhs.added && lhs.expunged == rhs.expunged
            && lhs.flagChanges == rhs.flagChanges
    }

    /// Hashes the known UIDs.
    func hash(into hasher: inout Hasher) { hasher.combine(uids) }
}
