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
    }

    private func textNeedle(_ text: String) -> IMAPTextNeedle { textNeedles[text] ?? IMAPTextNeedle(text, decomposing: true) }
    private func headerNeedle(_ text: String) -> IMAPTextNeedle { headerNeedles[text] ?? IMAPTextNeedle(text, decomposing: false) }

    /// Whether every key matches `message`.
    func matches(_ message: FetchedMessage) -> Bool {
        let text = IMAPSearchText(content: message.content ?? [], hasBody: contentNeeded == .whole)
        return keys.allSatisfy { matches($0, message, text) }
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
            return !text.surelyLacks(needle) && (text.anyHeaderContains(needle) || text.bodyContains(needle))
        case .before(let date): return message.internalDate < IMAPSearchSequence.midnight(date)
        case .since(let date): return message.internalDate >= IMAPSearchSequence.midnight(date)
        case .on(let date):
            return message.internalDate >= IMAPSearchSequence.midnight(date) && message.internalDate < IMAPSearchSequence.nextMidnight(date)
        case .sentBefore(let date): return text.sentDate < date
        case .sentOn(let date): return text.sentDate == date
        case .sentSince(let date): return text.sentDate >= date
        case .larger(let size): return UInt64(max(0, message.size)) > size
        case .smaller(let size): return UInt64(max(0, message.size)) < size
        case .uid(let set): return sequence.uidRanges(set).contains { $0.contains(message.uid) }
        case .sequenceSet(let set):
            switch set {
            case .savedResult: return sequence.savedResult.contains(message.uid)
            case .ranges:
                guard let number = sequence.sequenceNumber(of: message.uid) else { return false }
                return set.contains(number, largest: UInt32(sequence.uids.count))
            }
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
