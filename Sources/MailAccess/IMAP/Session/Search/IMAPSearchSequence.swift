import CommunityMailMessage
import EncryptedMailbox
import Foundation

/// The session's view a search resolves against: its message sequence (MSN n is
/// `uids[n-1]`), the saved result `$`, the `\Recent` messages; and the translation of the
/// keys whose meaning the mailbox's index has exactly into a ``SearchQuery``.
struct IMAPSearchSequence: Sendable {
    /// The session's UIDs, ascending.
    let uids: [UInt32]
    let savedResult: [UInt32]
    let recent: Set<UInt32>

    init(uids: [UInt32], savedResult: [UInt32]?, recent: Set<UInt32>) {
        self.uids = uids
        self.savedResult = (savedResult ?? []).sorted()
        self.recent = recent
    }

    /// `found` (ascending) without the UIDs the session does not have (appended since the
    /// session last announced EXISTS).
    func restricted(_ found: [UInt32]) -> [UInt32] {
        var result: [UInt32] = []
        result.reserveCapacity(min(found.count, uids.count))
        var index = 0
        for uid in found {
            while index < uids.count, uids[index] < uid { index += 1 }
            if index < uids.count, uids[index] == uid { result.append(uid) }
        }
        return result
    }

    /// The message sequence number of `uid`, or nil.
    func sequenceNumber(of uid: UInt32) -> UInt32? {
        var low = 0
        var high = uids.count
        while low < high {
            let middle = (low + high) / 2
            if uids[middle] < uid { low = middle + 1 } else { high = middle }
        }
        return low < uids.count && uids[low] == uid ? UInt32(low + 1) : nil
    }

    /// The UIDs a UID key names, as sorted disjoint ranges: `*` is the session's largest UID.
    func uidRanges(_ set: IMAPSequenceSet) -> [ClosedRange<UInt32>] {
        switch set {
        case .savedResult:
            return UIDSet.merge(savedResult.map { $0...$0 })
        case .ranges(let ranges):
            guard let largest = uids.last else {
                // An empty folder: `*` names nothing, numbers still name themselves.
                return UIDSet.merge(ranges.compactMap { range in
                    guard case .number(let a) = range.first, case .number(let b) = range.second else { return nil }
                    return min(a, b)...max(a, b)
                })
            }
            return UIDSet.merge(ranges.map { $0.resolved(largest: largest) })
        }
    }

    /// The UIDs a sequence-set key names (message sequence numbers, or `$`).
    func uidsOfSequenceSet(_ set: IMAPSequenceSet) -> [UInt32] {
        switch set {
        case .savedResult:
            return savedResult
        case .ranges(let ranges):
            guard !uids.isEmpty else { return [] }
            let count = UInt32(uids.count)
            var numbers: [ClosedRange<UInt32>] = []
            for range in ranges {
                let resolved = range.resolved(largest: count)
                guard resolved.lowerBound <= count else { continue }
                numbers.append(max(1, resolved.lowerBound)...min(count, resolved.upperBound))
            }
            var result: [UInt32] = []
            for range in UIDSet.merge(numbers) { result += uids[Int(range.lowerBound - 1)..<Int(range.upperBound)] }
            return result
        }
    }

    /// A UIDSet of sorted disjoint ranges.
    static func uidSet(_ ranges: [ClosedRange<UInt32>]) -> UIDSet {
        guard !ranges.isEmpty else { return UIDSet([UInt32]()) }
        let text = ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound):\($0.upperBound)" }
            .joined(separator: ",")
        return (try? UIDSet(parsing: text)) ?? UIDSet([UInt32]())
    }

    /// The instant a SEARCH date starts (midnight UTC: internal dates are given in UTC).
    static func midnight(_ date: IMAPDate) -> Date {
        let days = MailDateParser.daysFromCivil(year: date.year, month: date.month, day: date.day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400))
    }

    /// The day after `date`'s midnight.
    static func nextMidnight(_ date: IMAPDate) -> Date { midnight(date).addingTimeInterval(86_400) }

    /// The query the index answers for `key` with exactly IMAP's meaning, or nil when the
    /// key (or a key inside it) must be matched over the messages, or nests too deeply.
    func query(for key: IMAPSearchKey) -> SearchQuery? {
        do {
            return try translated(key)
        } catch {
            return nil
        }
    }

    private struct NotIndexed: Error {}

    private func translated(_ key: IMAPSearchKey) throws -> SearchQuery {
        func flag(_ flag: MessageFlags, set: Bool) throws -> SearchQuery {
            set ? .flags(flag) : try .not(.flags(flag))
        }
        func header(_ field: SearchQuery.HeaderField, _ name: String, _ text: String) -> SearchQuery {
            // An empty string matches the messages that have the field (instr('') is 1 even without one).
            text.isEmpty ? .headerField(name, "") : .header(field, text)
        }
        switch key {
        case .all: return .all
        case .answered: return try flag(.answered, set: true)
        case .deleted: return try flag(.deleted, set: true)
        case .draft: return try flag(.draft, set: true)
        case .flagged: return try flag(.flagged, set: true)
        case .seen: return try flag(.seen, set: true)
        case .unanswered: return try flag(.answered, set: false)
        case .undeleted: return try flag(.deleted, set: false)
        case .undraft: return try flag(.draft, set: false)
        case .unflagged: return try flag(.flagged, set: false)
        case .unseen: return try flag(.seen, set: false)
        case .recent: return .uids(UIDSet(recent))
        case .old: return try .not(.uids(UIDSet(recent)))
        case .new: return try .and([.uids(UIDSet(recent)), .not(.flags(.seen))])
        case .keyword(let keyword): return .keyword(keyword)
        case .unkeyword(let keyword): return try .not(.keyword(keyword))
        case .from(let text): return header(.from, "from", text)
        case .to(let text): return header(.to, "to", text)
        case .cc(let text): return header(.cc, "cc", text)
        case .subject(let text): return header(.subject, "subject", text)
        case .bcc(let text): return .headerField("bcc", text)
        case .header(let name, let text): return .headerField(name, text)
        case .before(let date): return .receivedBefore(Self.midnight(date))
        case .since(let date): return .receivedSince(Self.midnight(date))
        case .on(let date): return try .and([.receivedSince(Self.midnight(date)), .receivedBefore(Self.nextMidnight(date))])
        case .larger(let size): return .larger(Int(clamping: size))
        case .smaller(let size): return .smaller(Int(clamping: size))
        case .uid(let set): return .uids(Self.uidSet(uidRanges(set)))
        case .sequenceSet(let set): return .uids(UIDSet(uidsOfSequenceSet(set)))
        case .modSeq(let value, _): return .modSeqAtLeast(value)
        case .not(let inner): return try .not(translated(inner))
        case .or(let a, let b): return try .or([translated(a), translated(b)])
        case .and(let list): return try .and(list.map { try translated($0) })
        case .body, .text, .sentBefore, .sentOn, .sentSince: throw NotIndexed()
        }
    }
}
