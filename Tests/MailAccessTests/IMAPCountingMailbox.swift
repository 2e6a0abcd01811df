import EncryptedMailbox
import Foundation
import Synchronization

/// A ``Mailbox`` that forwards to another and counts what a session (SEARCH, FETCH) reads
/// through it: the fetches asking for content, with each one's messages and bytes. It can also run
/// an action just before the next `\Recent` claim (another client's change racing a
/// session's claim).
final class IMAPCountingMailbox: Mailbox {
    struct Counts: Sendable {
        /// The most content bytes one fetch returned.
        var largestContentFetch = 0
        /// Fetches that asked for more than metadata.
        var contentFetches = 0
        /// Each fetch of content: how many messages and stored bytes it returned.
        var contentReads: [ContentRead] = []
    }

    /// One fetch of content.
    struct ContentRead: Sendable {
        /// The messages returned.
        var messages: Int
        /// Their stored bytes.
        var bytes: Int
    }

    let base: any Mailbox
    private let recorded = Mutex(Counts())
    private let beforeNextClaim = Mutex<(@Sendable () async throws -> Void)?>(nil)

    init(_ base: any Mailbox) { self.base = base }

    var counts: Counts { recorded.withLock { $0 } }

    /// Runs `action` once, at the start of the next `claimRecent`, before the claim is made.
    func beforeNextClaim(_ action: @escaping @Sendable () async throws -> Void) {
        beforeNextClaim.withLock { $0 = action }
    }

    func fetch(_ uids: UIDSet, in folder: String, content: FetchContent) async throws -> [FetchedMessage] {
        let messages = try await base.fetch(uids, in: folder, content: content)
        if content != .metadata {
            let bytes = messages.reduce(0) { $0 + ($1.content?.count ?? 0) }
            recorded.withLock { counts in
                counts.contentFetches += 1
                counts.largestContentFetch = max(counts.largestContentFetch, bytes)
                counts.contentReads.append(ContentRead(messages: messages.count, bytes: bytes))
            }
        }
        return messages
    }

    func sizes(of uids: UIDSet, in folder: String, content: FetchContent) async throws -> [UInt32: Int] {
        try await base.sizes(of: uids, in: folder, content: content)
    }
    func folders() async throws -> [FolderStatus] { try await base.folders() }
    func status(of folder: String) async throws -> FolderStatus { try await base.status(of: folder) }
    func createFolder(_ name: String, specialUse: SpecialUse?) async throws -> FolderStatus {
        try await base.createFolder(name, specialUse: specialUse)
    }
    func renameFolder(_ name: String, to newName: String) async throws { try await base.renameFolder(name, to: newName) }
    func deleteFolder(_ name: String) async throws { try await base.deleteFolder(name) }
    func setSubscribed(_ name: String, _ subscribed: Bool) async throws { try await base.setSubscribed(name, subscribed) }
    func append(_ message: [UInt8], to folder: String, flags: MessageFlags, keywords: [String], internalDate: Date) async throws -> AppendedMessage {
        try await base.append(message, to: folder, flags: flags, keywords: keywords, internalDate: internalDate)
    }
    func append(contentsOf messages: [MessageToAppend], to folder: String) async throws -> [AppendedMessage] {
        try await base.append(contentsOf: messages, to: folder)
    }
    func store(_ operation: FlagOperation, on uids: UIDSet, in folder: String, unchangedSince: UInt64?) async throws -> StoreResult {
        try await base.store(operation, on: uids, in: folder, unchangedSince: unchangedSince)
    }
    func copy(_ uids: UIDSet, from source: String, to destination: String) async throws -> CopiedMessages {
        try await base.copy(uids, from: source, to: destination)
    }
    func move(_ uids: UIDSet, from source: String, to destination: String) async throws -> CopiedMessages {
        try await base.move(uids, from: source, to: destination)
    }
    func expunge(_ folder: String, uids: UIDSet?) async throws -> [UInt32] { try await base.expunge(folder, uids: uids) }
    func changes(in folder: String, since modSeq: UInt64) async throws -> FolderChanges { try await base.changes(in: folder, since: modSeq) }
    func claimRecent(in folder: String, uidValidity: UInt32, below bound: UInt32) async throws -> RecentClaim {
        let action = beforeNextClaim.withLock { action in
            defer { action = nil }
            return action
        }
        try await action?()
        return try await base.claimRecent(in: folder, uidValidity: uidValidity, below: bound)
    }
    func search(_ query: SearchQuery, in folder: String) async throws -> [UInt32] { try await base.search(query, in: folder) }
    func threads(in folder: String) async throws -> [[UInt32]] { try await base.threads(in: folder) }
    func usage() async throws -> MailboxUsage { try await base.usage() }
    func events() async -> AsyncStream<MailboxEvent> { await base.events() }
    func close() async { await base.close() }
}
