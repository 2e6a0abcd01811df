import CommunityMailMessage
public import Foundation

/// A mailbox kept in memory, with the same rules as ``SQLiteMailbox``: UIDs that only grow,
/// one MODSEQ counter, quota on append and copy, the same parser, search semantics and
/// threading. For tests of code that uses a ``Mailbox``; nothing is saved.
public actor InMemoryMailbox: Mailbox {
    /// How the fake behaves.
    public struct Configuration: Sendable {
        /// Limits enforced on append and copy. Default: none.
        public var quota: MailboxQuota = .unlimited
        /// The defaults above.
        public init() {}
    }

    private struct StoredMessage {
        var uid: UInt32
        var flags: MessageFlags
        var keywords: [String]
        var internalDate: Int64
        var modSeq: UInt64
        var raw: [UInt8]
        /// The size in RFC 5322 form (``MessageSize``).
        var size: Int
        var parsed: ParsedMessage
        var words: Set<String>
    }

    private struct Folder {
        var name: String
        var specialUse: SpecialUse?
        var subscribed: Bool
        var uidValidity: UInt32
        var uidNext: UInt32
        var highestModSeq: UInt64
        /// The first UID not claimed as `\Recent` (the SQLite mailbox's `first_recent_uid`).
        var firstRecentUID: UInt32 = 1
        var messages: [StoredMessage] = []
        var vanished: [(uid: UInt32, modSeq: UInt64)] = []
    }

    private var folderList: [String: Folder] = [:]
    private var lastModSeq: UInt64 = 0
    private var lastUIDValidity: UInt32 = 0
    private let configuration: Configuration

    /// An empty mailbox with INBOX and the special-use folders.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        for use in MailboxRules.defaultFolders {
            lastModSeq += 1
            lastUIDValidity = MailboxRules.nextUIDValidity(after: lastUIDValidity)
            folderList[use.defaultFolderName] = Folder(
                name: use.defaultFolderName, specialUse: use, subscribed: true, uidValidity: lastUIDValidity,
                uidNext: 1, highestModSeq: lastModSeq)
        }
    }

    private var isClosed = false
    private let hub = MailboxEventHub()

    /// Closes the mailbox: later calls fail with `MailboxError.closed`, event streams end.
    public func close() {
        isClosed = true
        hub.finish()
    }

    /// Changes made through this mailbox from now on.
    public nonisolated func events() -> AsyncStream<MailboxEvent> { hub.stream() }

    /// A stream of events that ``unsubscribe(_:)`` can end (for the store's handles).
    nonisolated func subscribe() -> (stream: AsyncStream<MailboxEvent>, id: UUID) { hub.subscribe() }

    /// Ends the streams with these ids.
    nonisolated func unsubscribe(_ ids: [UUID]) { hub.finish(ids) }

    private func checkOpen() throws(MailboxError) {
        if isClosed { throw MailboxError.closed }
    }

    private func folder(_ name: String) throws(MailboxError) -> Folder {
        try checkOpen()
        guard let folder = folderList[try MailboxRules.canonicalFolderName(name)] else {
            throw MailboxError.folderNotFound.with(message: "no folder named \"\(name)\"")
        }
        return folder
    }

    private func status(_ folder: Folder) -> FolderStatus {
        FolderStatus(
            name: folder.name, specialUse: folder.specialUse, isSubscribed: folder.subscribed,
            uidValidity: folder.uidValidity, uidNext: folder.uidNext, messageCount: folder.messages.count,
            unseenCount: folder.messages.count { !$0.flags.contains(.seen) }, highestModSeq: folder.highestModSeq,
            firstRecentUID: folder.firstRecentUID, recentCount: folder.messages.count { $0.uid >= folder.firstRecentUID })
    }

    private func nextModSeq() -> UInt64 {
        lastModSeq += 1
        return lastModSeq
    }

    private var usedBytes: Int { folderList.values.reduce(0) { $0 + $1.messages.reduce(0) { $0 + $1.size } } }
    private var usedMessages: Int { folderList.values.reduce(0) { $0 + $1.messages.count } }

    // MARK: Folders

    /// Every folder, INBOX first, then by name.
    public func folders() throws -> [FolderStatus] {
        try checkOpen()
        return folderList.values.map(status).sorted(by: MailboxRules.folderOrder)
    }

    /// One folder's status.
    public func status(of folder: String) throws -> FolderStatus { status(try self.folder(folder)) }

    /// Creates a folder.
    @discardableResult
    public func createFolder(_ name: String, specialUse: SpecialUse?) throws -> FolderStatus {
        try checkOpen()
        let canonical = try MailboxRules.canonicalFolderName(name)
        guard folderList[canonical] == nil else { throw MailboxError.folderExists.with(message: "a folder named \"\(canonical)\" exists") }
        if let specialUse, specialUse == .inbox || folderList.values.contains(where: { $0.specialUse == specialUse }) {
            throw MailboxError.specialUseTaken.with(message: "another folder is already \(specialUse.rawValue)")
        }
        lastUIDValidity = MailboxRules.nextUIDValidity(after: lastUIDValidity)
        let folder = Folder(
            name: canonical, specialUse: specialUse, subscribed: false, uidValidity: lastUIDValidity, uidNext: 1,
            highestModSeq: nextModSeq())
        folderList[canonical] = folder
        hub.publish([.folderCreated(canonical)])
        return status(folder)
    }

    /// Renames a folder and the folders below it.
    public func renameFolder(_ name: String, to newName: String) throws {
        let source = try folder(name).name
        let target = try MailboxRules.canonicalFolderName(newName)
        if source == MailboxRules.inbox {
            // RFC 3501 6.3.5: renaming INBOX moves its messages to a new folder and leaves it empty.
            guard target != MailboxRules.inbox else { throw MailboxError.folderExists.with(message: "INBOX exists") }
            try createFolder(target, specialUse: nil)
            _ = try transfer(.all, from: source, to: target, removing: true)
            return

        }
        guard !MailboxRules.isSelfOrDescendant(target, of: MailboxRules.inbox) else {
            throw MailboxError.invalidFolderName.with(message: "only INBOX's own children are named INBOX/...")
        }
        guard !MailboxRules.isSelfOrDescendant(target, of: source) else {
            throw MailboxError.invalidFolderName.with(message: "a folder cannot move below itself")
        }
        let moving = folderList.keys.filter { MailboxRules.isSelfOrDescendant($0, of: source) }
        let renamed = moving.map { target + $0.dropFirst(source.count) }
        if let clash = renamed.first(where: { folderList[$0] != nil }) {
            throw MailboxError.folderExists.with(message: "a folder named \"\(clash)\" exists")
        }
        for (old, new) in zip(moving, renamed) {
            guard var folder = folderList.removeValue(forKey: old) else { continue }
            folder.name = new
            folderList[new] = folder
        }
        hub.publish([.folderRenamed(from: source, to: target)])
    }

    /// Deletes a folder and its messages.
    public func deleteFolder(_ name: String) throws {
        let existing = try folder(name)
        guard existing.name != MailboxRules.inbox else { throw MailboxError.folderNotRemovable }
        folderList[existing.name] = nil
        hub.publish([.folderDeleted(existing.name)])
    }

    /// Subscribes or unsubscribes.
    public func setSubscribed(_ name: String, _ subscribed: Bool) throws {
        let existing = try folder(name)
        folderList[existing.name]?.subscribed = subscribed
    }

    // MARK: Messages

    /// Appends a message.
    @discardableResult
    public func append(
        _ message: [UInt8], to folder: String, flags: MessageFlags, keywords: [String], internalDate: Date
    ) throws -> AppendedMessage {
        try append(contentsOf: [MessageToAppend(message, flags: flags, keywords: keywords, internalDate: internalDate)], to: folder)[0]
    }

    /// Appends messages atomically.
    @discardableResult
    public func append(contentsOf messages: [MessageToAppend], to folder: String) throws -> [AppendedMessage] {
        let keywordSets = try messages.map { (message) throws(MailboxError) in try MailboxRules.canonicalKeywords(message.keywords) }
        var target = try self.folder(folder)
        try MailboxRules.checkMessageSizes(configuration.quota, messages.map(\.content.count))
        let sizes = messages.map { MessageSize.inRFC5322Form($0.content) }
        try MailboxRules.checkQuota(
            configuration.quota, usedBytes: usedBytes, usedMessages: usedMessages,
            addingBytes: sizes.reduce(0, +), addingMessages: messages.count)
        try MailboxRules.checkUIDSpace(target.uidNext, adding: messages.count)
        var appended: [AppendedMessage] = []
        for (position, (message, keywords)) in zip(messages, keywordSets).enumerated() {
            let parsed = ParsedMessage(indexing: message.content)
            let modSeq = nextModSeq()
            let uid = target.uidNext
            target.messages.append(
                StoredMessage(
                    uid: uid, flags: message.flags.intersection(.all), keywords: keywords,
                    internalDate: MailboxRules.seconds(message.internalDate), modSeq: modSeq, raw: message.content,
                    size: sizes[position], parsed: parsed,
                    words: Set(SearchQuery.words(parsed.bodyText))))
            target.uidNext += 1
            target.highestModSeq = modSeq
            appended.append(AppendedMessage(uidValidity: target.uidValidity, uid: uid, modSeq: modSeq))
        }
        folderList[target.name] = target
        if !appended.isEmpty { hub.publish([.messagesAdded(folder: target.name, uids: appended.map(\.uid))]) }
        return appended
    }

    private func indices(of uids: UIDSet, in folder: Folder) -> [Int] {
        let ranges = uids.resolved(largest: folder.messages.last?.uid ?? 0)
        return folder.messages.indices.filter { index in ranges.contains { $0.contains(folder.messages[index].uid) } }
    }

    /// Fetches messages.
    public func fetch(_ uids: UIDSet, in folder: String, content: FetchContent) throws -> [FetchedMessage] {
        let source = try self.folder(folder)
        return indices(of: uids, in: source).map { index in
            let message = source.messages[index]
            let bytes: [UInt8]? =
                switch content {
                case .metadata: nil
                case .header: Array(message.raw.prefix(message.parsed.headerLength))
                case .text: Array(message.raw.dropFirst(message.parsed.headerLength))
                case .whole: message.raw
                }
            return FetchedMessage(
                uid: message.uid, flags: message.flags, keywords: message.keywords,
                internalDate: Date(timeIntervalSince1970: TimeInterval(message.internalDate)), modSeq: message.modSeq,
                size: message.size, envelope: message.parsed.envelope, content: bytes)
        }
    }

    /// Changes flags and keywords.
    public func store(_ operation: FlagOperation, on uids: UIDSet, in folder: String, unchangedSince: UInt64?) throws -> StoreResult {
        var target = try self.folder(folder)
        var changed: [MessageChange] = []
        var modified: [UInt32] = []
        var modSeq: UInt64?
        for index in indices(of: uids, in: target) {
            var message = target.messages[index]
            if let unchangedSince, message.modSeq > unchangedSince {
                modified.append(message.uid)
                continue
            }
            let (flags, keywords) = try MailboxRules.apply(operation, to: message.flags, keywords: message.keywords)
            guard flags != message.flags || keywords != message.keywords else { continue }
            if modSeq == nil { modSeq = nextModSeq() }
            message.flags = flags
            message.keywords = keywords
            message.modSeq = modSeq!
            target.messages[index] = message
            changed.append(MessageChange(uid: message.uid, flags: flags, keywords: keywords, modSeq: modSeq!))
        }
        if let modSeq { target.highestModSeq = modSeq }
        folderList[target.name] = target
        if !changed.isEmpty { hub.publish([.flagsChanged(folder: target.name, changes: changed)]) }
        return StoreResult(changed: changed, modified: modified)
    }

    /// Copies messages.
    public func copy(_ uids: UIDSet, from source: String, to destination: String) throws -> CopiedMessages {
        try transfer(uids, from: source, to: destination, removing: false)
    }

    /// Moves messages.
    public func move(_ uids: UIDSet, from source: String, to destination: String) throws -> CopiedMessages {
        try transfer(uids, from: source, to: destination, removing: true)
    }

    private func transfer(_ uids: UIDSet, from source: String, to destination: String, removing: Bool) throws(MailboxError) -> CopiedMessages {
        var from = try folder(source)
        var to = try folder(destination)
        let chosen = indices(of: uids, in: from)
        let messages = chosen.map { from.messages[$0] }
        if !removing {
            try MailboxRules.checkQuota(
                configuration.quota, usedBytes: usedBytes, usedMessages: usedMessages,
                addingBytes: messages.reduce(0) { $0 + $1.size }, addingMessages: messages.count)
        }
        guard !messages.isEmpty else { return CopiedMessages(destinationUIDValidity: to.uidValidity, sourceUIDs: [], destinationUIDs: []) }
        try MailboxRules.checkUIDSpace(to.uidNext, adding: messages.count)
        let modSeq = nextModSeq()
        var newUIDs: [UInt32] = []
        for var message in messages {
            message.uid = to.uidNext
            message.modSeq = modSeq
            to.uidNext += 1
            newUIDs.append(message.uid)
            to.messages.append(message)
        }
        to.highestModSeq = modSeq
        if from.name == to.name { from = to }
        if removing {
            let removed = Set(messages.map(\.uid))
            from.messages.removeAll { removed.contains($0.uid) }
            from.vanished += messages.map { ($0.uid, modSeq) }
            from.highestModSeq = modSeq
        }
        folderList[to.name] = to
        folderList[from.name] = from
        hub.publish(
            [.messagesAdded(folder: to.name, uids: newUIDs)]
                + (removing ? [.messagesExpunged(folder: from.name, uids: messages.map(\.uid))] : []))
        return CopiedMessages(destinationUIDValidity: to.uidValidity, sourceUIDs: messages.map(\.uid), destinationUIDs: newUIDs)
    }

    /// Removes `\Deleted` messages.
    public func expunge(_ folder: String, uids: UIDSet?) throws -> [UInt32] {
        var target = try self.folder(folder)
        let allowed = Set(indices(of: uids ?? .all, in: target).map { target.messages[$0].uid })
        let removed = target.messages.filter { $0.flags.contains(.deleted) && allowed.contains($0.uid) }.map(\.uid)
        guard !removed.isEmpty else { return [] }
        let modSeq = nextModSeq()
        let removedSet = Set(removed)
        target.messages.removeAll { removedSet.contains($0.uid) }
        target.vanished += removed.map { ($0, modSeq) }
        target.highestModSeq = modSeq
        folderList[target.name] = target
        hub.publish([.messagesExpunged(folder: target.name, uids: removed)])
        return removed
    }

    /// Claims the folder's `\Recent` messages: when the folder still has `uidValidity`, the
    /// UIDs from its first unclaimed one up to `bound` or UIDNEXT, whichever is lower; the
    /// end of that range becomes the first unclaimed one. Nothing changes when the claim is
    /// empty.
    /// (Async, as the requirement: a synchronous one would lose, in a call on the actor from
    /// outside, to the protocol extension's default, which claims nothing.)
    public func claimRecent(in folder: String, uidValidity: UInt32, below bound: UInt32) async throws -> RecentClaim {
        var target = try self.folder(folder)
        let claim = plannedClaim(target, uidValidity: uidValidity, bound: bound)
        guard !claim.uids.isEmpty else { return claim }
        target.firstRecentUID = claim.uids.upperBound
        folderList[target.name] = target
        return claim
    }

    /// What ``claimRecent(in:uidValidity:below:)`` would claim now, changing nothing (a
    /// read-only handle's check).
    func recentToClaim(in folder: String, uidValidity: UInt32, below bound: UInt32) throws -> RecentClaim {
        plannedClaim(try self.folder(folder), uidValidity: uidValidity, bound: bound)
    }

    private func plannedClaim(_ target: Folder, uidValidity: UInt32, bound: UInt32) -> RecentClaim {
        RecentClaim.planned(
            folderUIDValidity: target.uidValidity, firstRecentUID: target.firstRecentUID, uidNext: target.uidNext,
            uidValidity: uidValidity, bound: bound)
    }

    /// Changes after a MODSEQ.
    public func changes(in folder: String, since modSeq: UInt64) throws -> FolderChanges {
        let target = try self.folder(folder)
        return FolderChanges(
            changed: target.messages.filter { $0.modSeq > modSeq }.map {
                MessageChange(uid: $0.uid, flags: $0.flags, keywords: $0.keywords, modSeq: $0.modSeq)
            },
            vanished: target.vanished.filter { $0.modSeq > modSeq }.map(\.uid).sorted(),
            highestModSeq: target.highestModSeq)
    }

    // MARK: Search, threads, quota

    /// Searches a folder.
    public func search(_ query: SearchQuery, in folder: String) throws -> [UInt32] {
        let target = try self.folder(folder)
        let largest = target.messages.last?.uid ?? 0
        return target.messages.filter { matches(query, $0, largest: largest) }.map(\.uid)
    }

    private func matches(_ query: SearchQuery, _ message: StoredMessage, largest: UInt32) -> Bool {
        let envelope = message.parsed.envelope
        func field(_ field: SearchQuery.HeaderField) -> String {
            switch field {
            case .from: envelope.from
            case .to: envelope.to
            case .cc: envelope.cc
            case .subject: envelope.subject
            case .messageID: envelope.messageID ?? ""
            }
        }
        func hasWords(_ text: String) -> Bool { message.words.isSuperset(of: SearchQuery.words(text)) }
        // As SQL's instr(): the empty text is in every value.
        func holds(_ value: String, _ needle: String) -> Bool { needle.isEmpty || value.contains(needle) }
        // As deep as the query, which SearchQuery bounds.
        switch query.node {
        case .all: return true
        case .header(let name, let text): return holds(SearchQuery.fold(field(name)), SearchQuery.fold(text))
        case .headerField(let name, let text):
            let field = name.lowercased()
            let needle = SearchQuery.fold(text)
            return message.parsed.headerFields.contains { $0.name == field && holds($0.value, needle) }
        case .body(let text): return hasWords(text)
        case .text(let text):
            let needle = SearchQuery.fold(text)
            return [.from, .to, .cc, .subject].contains { holds(SearchQuery.fold(field($0)), needle) } || hasWords(text)
        case .sentBefore(let date): return envelope.date.map { MailboxRules.seconds($0) < MailboxRules.seconds(date) } ?? false
        case .sentSince(let date): return envelope.date.map { MailboxRules.seconds($0) >= MailboxRules.seconds(date) } ?? false
        case .receivedBefore(let date): return message.internalDate < MailboxRules.seconds(date)
        case .receivedSince(let date): return message.internalDate >= MailboxRules.seconds(date)
        case .flags(let flags): return message.flags.isSuperset(of: flags)
        case .keyword(let keyword): return message.keywords.contains { $0.lowercased() == keyword.lowercased() }
        case .larger(let size): return message.size > size
        case .smaller(let size): return message.size < size
        case .uids(let set): return set.contains(message.uid, largest: largest)
        case .hasAttachment: return envelope.hasAttachment
        case .modSeqAtLeast(let modSeq): return message.modSeq >= modSeq
        case .and(let queries): return queries.allSatisfy { matches($0, message, largest: largest) }
        case .or(let queries): return queries.contains { matches($0, message, largest: largest) }
        case .not(let inner): return !matches(inner, message, largest: largest)
        }
    }

    /// Conversations in a folder.
    public func threads(in folder: String) throws -> [[UInt32]] {
        MessageThreader.threads(
            try self.folder(folder).messages.map {
                MessageThreader.Input(
                    uid: $0.uid, messageID: $0.parsed.envelope.messageID, inReplyTo: $0.parsed.envelope.inReplyTo,
                    references: $0.parsed.envelope.references)
            })
    }

    /// Usage and limits.
    public func usage() throws -> MailboxUsage {
        try checkOpen()
        return MailboxUsage(bytes: usedBytes, messages: usedMessages, quota: configuration.quota)
    }
}
