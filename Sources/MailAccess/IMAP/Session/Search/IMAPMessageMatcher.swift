import CommunityMailMessage
import EncryptedMailbox
import Foundation

/// Matches search keys against one fetched message at a time, with IMAP's meaning for
/// every key: what ``IMAPSearchEvaluator`` runs for the keys the index cannot answer.
struct IMAPMessageMatcher {
    let keys: [IMAPSearchKey]
    let sequence: IMAPSearchSequence
    /// What the mailbox must return for the keys: metadata, the header, or all.
    let contentNeeded: FetchContent
    /// The keys' strings, folded once: BODY/TEXT ones decomposing, header ones not.
    private let textNeedles: [String: IMAPTextNeedle]
    private let headerNeedles: [String: IMAPTextNeedle]
    /// The keys with every UID and sequence-set key resolved once per search into sorted
    /// disjoint UID ranges: a message is then one binary search, not a pass over the set.
    private let compiled: [Compiled]

    /// A search key as matched: sets resolved, the boolean structure kept, other keys as given.
    private indirect enum Compiled {
        case key(IMAPSearchKey)
        case uids([ClosedRange<UInt32>])
        case not(Compiled)
        case or(Compiled, Compiled)
        case and([Compiled])
    }

    /// As deep as the keys, which the evaluator bounds before matching.
    private static func compile(_ key: IMAPSearchKey, _ sequence: IMAPSearchSequence) -> Compiled {
        switch key {
        case .uid(let set): return .uids(sequence.uidRanges(set))
        case .sequenceSet(let set): return .uids(UIDSet.merge(sequence.uidsOfSequenceSet(set).map { $0...$0 }))
        case .not(let inner): return .not(compile(inner, sequence))
        case .or(let a, let b): return .or(compile(a, sequence), compile(b, sequence))
        case .and(let list): return .and(list.map { compile($0, sequence) })
        default: return .key(key)
        }
    }

    init(keys: [IMAPSearchKey], sequence: IMAPSearchSequence) {
        self.keys = keys
        self.sequence = sequence
        var needed = FetchContent.metadata
        var textNeedles: [String: IMAPTextNeedle] = [:]
        var headerNeedles: [String: IMAPTextNeedle] = [:]
        var stack = keys
        while let key = stack.popLast() {
            switch key {
            case .body(let text), .text(let text):
                needed = .whole
                textNeedles[text] = IMAPTextNeedle(text, decomposing: true)
            case .from(let text), .to(let text), .cc(let text), .bcc(let text), .subject(let text), .header(_, let text):
                if needed == .metadata { needed = .header }
                headerNeedles[text] = IMAPTextNeedle(text, decomposing: false)
            case .sentBefore, .sentOn, .sentSince:
                if needed == .metadata { needed = .header }
            case .not(let inner): stack.append(inner)
            case .or(let a, let b): stack += [a, b]
            case .and(let list): stack += list
            default: break
            }
        }
        contentNeeded = needed
        self.textNeedles = textNeedles
        self.headerNeedles = headerNeedles
        compiled = keys.map { Self.compile($0, sequence) }
    }

    /// Whether `uid` lies in `ranges` (sorted, disjoint).
    private static func holds(_ ranges: [ClosedRange<UInt32>], _ uid: UInt32) -> Bool {
        // The last range starting at or before `uid`.
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].lowerBound <= uid { low = middle + 1 } else { high = middle }
        }
        return low > 0 && ranges[low - 1].contains(uid)
    }

    private func textNeedle(_ text: String) -> IMAPTextNeedle { textNeedles[text] ?? IMAPTextNeedle(text, decomposing: true) }
    private func headerNeedle(_ text: String) -> IMAPTextNeedle { headerNeedles[text] ?? IMAPTextNeedle(text, decomposing: false) }

    /// Whether every key matches `message`.
    func matches(_ message: FetchedMessage) -> Bool {
        let text = IMAPSearchText(content: message.content ?? [], hasBody: contentNeeded == .whole)
        return compiled.allSatisfy { matches($0, message, text) }
    }

    /// As deep as the keys, which the evaluator bounds before matching.
    private func matches(_ key: Compiled, _ message: FetchedMessage, _ text: IMAPSearchText) -> Bool {
        switch key {
        case .key(let key): return matches(key, message, text)
        case .uids(let ranges): return Self.holds(ranges, message.uid)
        case .not(let inner): return !matches(inner, message, text)
        case .or(let a, let b): return matches(a, message, text) || matches(b, message, text)
        case .and(let list): return list.allSatisfy { matches($0, message, text) }
        }
    }

    /// As deep as the keys, which the evaluator bounds before matching.
    private func matches(_ key: IMAPSearchKey, _ message: FetchedMessage, _ text: IMAPSearchText) -> Bool {
        switch key {
        case .all: return true
        case .answered: return message.flags.contains(.answered)
        case .deleted: return message.flags.contains(.deleted)
        case .draft: return message.flags.contains(.draft)
        case .flagged: return message.flags.contains(.flagged)
        case .seen: return message.flags.contains(.seen)
        case .unanswered: return !message.flags.contains(.answered)
        case .undeleted: return !message.flags.contains(.deleted)
        case .undraft: return !message.flags.contains(.draft)
        case .unflagged: return !message.flags.contains(.flagged)
        case .unseen: return !message.flags.contains(.seen)
        case .recent: return sequence.recent.contains(message.uid)
        case .old: return !sequence.recent.contains(message.uid)
        case .new: return sequence.recent.contains(message.uid) && !message.flags.contains(.seen)
        case .keyword(let keyword): return hasKeyword(message, keyword)
        case .unkeyword(let keyword): return !hasKeyword(message, keyword)
        case .from(let needle): return text.headerContains("from", headerNeedle(needle))
        case .to(let needle): return text.headerContains("to", headerNeedle(needle))
        case .cc(let needle): return text.headerContains("cc", headerNeedle(needle))
        case .bcc(let needle): return text.headerContains("bcc", headerNeedle(needle))
        case .subject(let needle): return text.headerContains("subject", headerNeedle(needle))
        case .header(let name, let needle): return text.headerContains(name.lowercased(), headerNeedle(needle))
        case .body(let needle):
            let needle = textNeedle(needle)
            return !text.surelyLacks(needle) && text.bodyContains(needle)
        case .text(let needle):
            let needle = textNeedle(needle)
            return !text.surelyLacks(needle) && text.anyTextContains(needle)
        case .before(let date): return message.internalDate < IMAPSearchSequence.midnight(date)
        case .since(let date): return message.internalDate >= IMAPSearchSequence.midnight(date)
        case .on(let date):
            return message.internalDate >= IMAPSearchSequence.midnight(date) && message.internalDate < IMAPSearchSequence.nextMidnight(date)
        case .sentBefore(let date): return text.sentDate < date
        case .sentOn(let date): return text.sentDate == date
        case .sentSince(let date): return text.sentDate >= date
        case .larger(let size): return UInt64(max(0, message.size)) > size
        case .smaller(let size): return UInt64(max(0, message.size)) < size
        case .uid(let set): return Self.holds(sequence.uidRanges(set), message.uid)
        case .sequenceSet(let set): return Self.holds(UIDSet.merge(sequence.uidsOfSequenceSet(set).map { $0...$0 }), message.uid)
        case .modSeq(let value, _): return message.modSeq >= value
        case .not(let inner): return !matches(inner, message, text)
        case .or(let a, let b): return matches(a, message, text) || matches(b, message, text)
        case .and(let list): return list.allSatisfy { matches($0, message, text) }
        }
    }

    private func hasKeyword(_ message: FetchedMessage, _ keyword: String) -> Bool {
        let folded = keyword.lowercased()
        return message.keywords.contains { $0.lowercased() == folded }
    }
}
