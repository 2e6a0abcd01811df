import Foundation

/// The naming and flag rules both mailbox implementations share, so they cannot drift apart.
enum MailboxRules {
    /// The name INBOX always has.
    static let inbox = "INBOX"

    /// `name` with a leading INBOX level spelled `INBOX`, after checking it is a valid name.
    /// - Throws: `MailboxError.invalidFolderName`.
    static func canonicalFolderName(_ name: String) throws(MailboxError) -> String {
        let delimiter = Character("/")
        guard !name.isEmpty, name.utf8.count <= 1000 else {
            throw MailboxError.invalidFolderName.with(message: "a folder name must have 1 to 1000 bytes")
        }
        var levels = name.split(separator: delimiter, omittingEmptySubsequences: false).map(String.init)
        for level in levels {
            guard !level.isEmpty, level != ".", level != ".." else {
                throw MailboxError.invalidFolderName.with(message: "a folder name level must not be empty, \".\" or \"..\"")
            }
            guard !level.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || $0 == "*" || $0 == "%" }) else {
                throw MailboxError.invalidFolderName.with(message: "a folder name must not hold control characters, * or %")
            }
        }
        if levels[0].uppercased() == inbox { levels[0] = inbox }
        return levels.joined(separator: String(delimiter))
    }

    /// True when `name` is `parent` or below it.
    static func isSelfOrDescendant(_ name: String, of parent: String) -> Bool {
        name == parent || name.hasPrefix(parent + "/")
    }

    /// `keywords` checked as IMAP atoms (RFC 3501 `flag-keyword`), de-duplicated ignoring
    /// case (IMAP keywords are case-insensitive; the first spelling stays) and sorted.
    /// - Throws: `MailboxError.invalidKeyword`.
    static func canonicalKeywords(_ keywords: [String]) throws(MailboxError) -> [String] {
        for keyword in keywords {
            let forbidden: Set<Unicode.Scalar> = ["(", ")", "{", " ", "%", "*", "\"", "\\", "]"]
            guard !keyword.isEmpty, keyword.utf8.count <= 200,
                !keyword.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7f || forbidden.contains($0) })
            else {
                throw MailboxError.invalidKeyword.with(message: "a keyword must be 1 to 200 printable ASCII characters without spaces, brackets, quotes, %, * or \\")
            }
        }
        var seen = Set<String>()
        return keywords.filter { seen.insert($0.lowercased()).inserted }.sorted { $0.lowercased() < $1.lowercased() }
    }

    /// The flags and keywords after `operation`.
    static func apply(
        _ operation: FlagOperation, to flags: MessageFlags, keywords: [String]
    ) throws(MailboxError) -> (flags: MessageFlags, keywords: [String]) {
        switch operation {
        case .replace(let newFlags, let newKeywords):
            return (newFlags.intersection(.all), try canonicalKeywords(newKeywords))
        case .add(let added, let addedKeywords):
            return (flags.union(added.intersection(.all)), try canonicalKeywords(keywords + addedKeywords))
        case .remove(let removed, let removedKeywords):
            let drop = Set(try canonicalKeywords(removedKeywords).map { $0.lowercased() })
            return (flags.subtracting(removed), keywords.filter { !drop.contains($0.lowercased()) })
        }
    }

    /// Seconds since 1970, as internal dates are kept; clamped to years 1 to 9999 (an
    /// infinite or absurd date must not crash a mailbox).
    static func seconds(_ date: Date) -> Int64 {
        let value = date.timeIntervalSince1970
        guard value.isFinite else { return 0 }
        return Int64(min(max(value, -62_135_596_800), 253_402_300_799).rounded(.down))
    }

    /// Throws when a folder whose UIDNEXT is `uidNext` cannot take `count` more messages:
    /// UIDs are 32-bit and never reused.
    static func checkUIDSpace(_ uidNext: UInt32, adding count: Int) throws(MailboxError) {
        guard UInt64(uidNext) + UInt64(count) <= UInt64(UInt32.max) else {
            throw MailboxError.uidSpaceExhausted
        }
    }
}

extension MailboxRules {
    /// The folders a new mailbox starts with: INBOX and one per special use, subscribed.
    static let defaultFolders: [SpecialUse] = SpecialUse.allCases

    /// The next UIDVALIDITY: the current time in seconds (so a folder recreated after a
    /// restart still gets a new value), and always above the last one given.
    static func nextUIDValidity(after last: UInt32, now: Date = Date()) -> UInt32 {
        let clock = UInt32(clamping: Int64(now.timeIntervalSince1970))
        return last == UInt32.max ? 1 : max(last + 1, clock)
    }

    /// Throws `messageTooLarge` when one of `sizes` is above the quota's per-message limit.
    static func checkMessageSizes(_ quota: MailboxQuota, _ sizes: [Int]) throws(MailboxError) {
        if let limit = quota.maxMessageBytes, let largest = sizes.max(), largest > limit {
            throw MailboxError.messageTooLarge.with(message: "a message of \(largest) bytes is over the limit of \(limit)")
        }
    }

    /// Throws `quotaExceeded` when adding `messages` messages of `bytes` bytes to `usage` breaks `quota`.
    static func checkQuota(_ quota: MailboxQuota, usedBytes: Int, usedMessages: Int, addingBytes bytes: Int, addingMessages messages: Int) throws(MailboxError) {
        if let maxBytes = quota.maxBytes, usedBytes + bytes > maxBytes {
            throw MailboxError.quotaExceeded.with(message: "the mailbox would hold \(usedBytes + bytes) bytes; its quota is \(maxBytes)")
        }
        if let maxMessages = quota.maxMessages, usedMessages + messages > maxMessages {
            throw MailboxError.quotaExceeded.with(message: "the mailbox would hold \(usedMessages + messages) messages; its quota is \(maxMessages)")
        }
    }
}

extension MailboxRules {
    /// INBOX first, then by name.
    static func folderOrder(_ a: FolderStatus, _ b: FolderStatus) -> Bool {
        if (a.name == inbox) != (b.name == inbox) { return a.name == inbox }
        return a.name < b.name
    }
}
