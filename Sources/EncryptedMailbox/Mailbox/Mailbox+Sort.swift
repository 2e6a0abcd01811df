import CommunityMailMessage
import Foundation

extension Mailbox {
    /// The UIDs of the messages matching `query`, in the order of `keys` (IMAP SORT,
    /// RFC 5256); ties fall back to UID order. The same for every implementation, as it
    /// runs on ``search(_:in:)`` and the indexed envelope.
    public func sort(_ keys: [SortKey], matching query: SearchQuery = .all, in folder: String) async throws -> [UInt32] {
        let uids = try await search(query, in: folder)
        guard !uids.isEmpty else { return [] }
        let messages = try await fetch(UIDSet(uids), in: folder, content: .metadata)
        let keyed = messages.map { message in (message.uid, keys.map { SortValue(message, $0.criterion) }) }
        return keyed.sorted { left, right in
            for (index, key) in keys.enumerated() where left.1[index] != right.1[index] {
                return key.reverse ? right.1[index] < left.1[index] : left.1[index] < right.1[index]
            }
            return left.0 < right.0
        }.map(\.0)
    }
}

/// One message's value for one sort criterion.
private enum SortValue: Comparable {
    case number(Int64)
    case text(String)

    init(_ message: FetchedMessage, _ criterion: SortKey.Criterion) {
        switch criterion {
        case .arrival: self = .number(MailboxRules.seconds(message.internalDate))
        case .date: self = .number(MailboxRules.seconds(message.envelope.date ?? message.internalDate))
        case .size: self = .number(Int64(message.size))
        case .from: self = .text(Self.firstMailbox(message.envelope.from))
        case .to: self = .text(Self.firstMailbox(message.envelope.to))
        case .cc: self = .text(Self.firstMailbox(message.envelope.cc))
        case .subject: self = .text(BaseSubject.of(message.envelope.subject))
        }
    }

    /// The local part of the first address in a decoded address list, lowercased.
    static func firstMailbox(_ list: String) -> String {
        var address = ""
        if let open = list.firstIndex(of: "<"), let close = list[open...].firstIndex(of: ">") {
            address = String(list[list.index(after: open)..<close])
        } else if let token = list.split(whereSeparator: { $0 == " " || $0 == "," }).first(where: { $0.contains("@") }) {
            address = String(token)
        }
        return String(address.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").lowercased()
    }
}

/// RFC 5256 section 2.1's base subject, for SORT SUBJECT and subject threading.
enum BaseSubject {
    static func of(_ subject: String) -> String {
        var text = subject.replacingOccurrences(of: "\t", with: " ")
        while text.contains("  ") { text = text.replacingOccurrences(of: "  ", with: " ") }
        text = text.trimmingCharacters(in: .whitespaces)
        while true {
            let before = text
            // Trailing "(fwd)".
            while text.lowercased().hasSuffix("(fwd)") { text = String(text.dropLast(5)).trimmingCharacters(in: .whitespaces) }
            // Leading "[blob]" tags and "re:", "fw:", "fwd:" (with an optional [blob] before the colon).
            while true {
                let start = text
                text = stripLeader(text)
                if let blobEnd = blobPrefixEnd(text) {
                    let rest = String(text[blobEnd...]).trimmingCharacters(in: .whitespaces)
                    if !rest.isEmpty { text = rest }
                }
                if text == start { break }
            }
            // "[fwd: subject]".
            if text.lowercased().hasPrefix("[fwd:"), text.hasSuffix("]") {
                text = String(text.dropFirst(5).dropLast()).trimmingCharacters(in: .whitespaces)
            }
            if text == before { break }
        }
        return text.lowercased()
    }

    /// The index after a leading `[...]`, if the text starts with one.
    private static func blobPrefixEnd(_ text: String) -> String.Index? {
        guard text.first == "[", let close = text.firstIndex(of: "]") else { return nil }
        let inner = text[text.index(after: text.startIndex)..<close]
        guard !inner.contains("[") else { return nil }
        return text.index(after: close)
    }

    /// `text` without one leading `re:`, `fw:` or `fwd:` (optionally `re[2]:`).
    private static func stripLeader(_ text: String) -> String {
        let lower = text.lowercased()
        for leader in ["re", "fwd", "fw"] where lower.hasPrefix(leader) {
            var rest = text.dropFirst(leader.count)
            rest = rest.drop { $0 == " " }
            if rest.first == "[", let close = rest.firstIndex(of: "]") { rest = rest[rest.index(after: close)...] }
            if rest.first == ":" { return String(rest.dropFirst()).trimmingCharacters(in: .whitespaces) }
        }
        return text
    }
}
