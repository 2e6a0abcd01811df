import EncryptedMailbox

/// The messages that are `\Recent` in one session's selection (RFC 3501 section 2.3.2), as
/// UID ranges: what its SELECT and later claims got (``Mailbox/claimRecent(in:uidValidity:below:)``), or, under
/// EXAMINE, the folder's unclaimed UIDs it saw without claiming them. A pure value.
///
/// A session's claims are contiguous UID ranges above the folder's old threshold, usually
/// one range (two sessions taking turns make more), so a message is tested with a UID
/// comparison against the last range, not a set lookup. Expunged messages need no removal:
/// only UIDs the client knows are ever tested or counted.
struct IMAPRecentMessages: Sendable, Hashable {
    /// Sorted, disjoint, non-adjacent, non-empty ranges.
    private(set) var ranges: [Range<UInt32>] = []

    /// True when no message is recent.
    var isEmpty: Bool { ranges.isEmpty }

    /// Adds `uids` (merging with the ranges it touches).
    mutating func insert(_ uids: Range<UInt32>) {
        guard !uids.isEmpty else { return }
        // The common case: a new claim above every earlier one.
        if let last = ranges.last, last.upperBound < uids.lowerBound {
            ranges.append(uids)
            return
        }
        if let last = ranges.last, last.upperBound == uids.lowerBound {
            ranges[ranges.count - 1] = last.lowerBound..<uids.upperBound
            return
        }
        var merged: [Range<UInt32>] = []
        merged.reserveCapacity(ranges.count + 1)
        var pending = uids
        var placed = false
        for range in ranges {
            if range.upperBound < pending.lowerBound {
                merged.append(range)
            } else if pending.upperBound < range.lowerBound {
                if !placed {
                    merged.append(pending)
                    placed = true
                }
                merged.append(range)
            } else {
                pending = min(range.lowerBound, pending.lowerBound)..<max(range.upperBound, pending.upperBound)
            }
        }
        if !placed { merged.append(pending) }
        ranges = merged
    }

    /// True when the message with `uid` is recent.
    func contains(_ uid: UInt32) -> Bool {
        guard let last = ranges.last else { return false }
        if last.contains(uid) { return true }
        if ranges.count == 1 || uid >= last.lowerBound { return false }
        var low = 0
        var high = ranges.count - 1
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound <= uid { low = middle + 1 } else { high = middle }
        }
        return ranges[low].contains(uid)
    }

    /// How many of `sortedUIDs` (ascending) are recent: two binary searches per range.
    func count(among sortedUIDs: [UInt32]) -> Int {
        ranges.reduce(0) { total, range in
            total + sortedUIDs.sortedIndex(notBelow: range.upperBound) - sortedUIDs.sortedIndex(notBelow: range.lowerBound)
        }
    }

    /// The recent ones of `sortedUIDs` (ascending), ascending.
    func uids(among sortedUIDs: [UInt32]) -> [UInt32] {
        var result: [UInt32] = []
        for range in ranges {
            result += sortedUIDs[sortedUIDs.sortedIndex(notBelow: range.lowerBound)..<sortedUIDs.sortedIndex(notBelow: range.upperBound)]
        }
        return result
    }
}
