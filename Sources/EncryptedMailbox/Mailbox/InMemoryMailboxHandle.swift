import Foundation
import Synchronization

/// One handle onto a mailbox of ``InMemoryMailboxStore``: read-only or the writer, and
/// closable on its own (closing the writer's handle lets the next writer in), as the
/// SQLite store's mailboxes are.
final class InMemoryMailboxHandle: Mailbox {
    private let backing: InMemoryMailbox
    private let readOnly: Bool
    private let isClosed = Mutex(false)
    private let onClose: @Sendable () async -> Void
    // The handle's event streams are the shared mailbox's, ended when the handle closes,
    // as closing a SQLite mailbox ends its streams.
    private let streams = Mutex<[UUID]>([])

    init(backing: InMemoryMailbox, readOnly: Bool, onClose: @escaping @Sendable () async -> Void) {
        self.backing = backing
        self.readOnly = readOnly
        self.onClose = onClose
    }

    func events() -> AsyncStream<MailboxEvent> {
        let (stream, id) = backing.subscribe()
        let open = streams.withLock { ids in
            ids.append(id)
            return !isClosed.withLock { $0 }
        }
        if !open { backing.unsubscribe([id]) }
        return stream
    }

    private func check(writing: Bool) throws(MailboxError) {
        if isClosed.withLock({ $0 }) { throw MailboxError.closed }
        if writing && readOnly { throw MailboxError.readOnly }
    }

    func close() async {
        let wasOpen = isClosed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        if wasOpen {
            backing.unsubscribe(streams.withLock { $0 })
            await onClose()
        }
    }

    func folders() async throws -> [FolderStatus] {
        try check(writing: false)
        return try await backing.folders()
    }

    func status(of folder: String) async throws -> FolderStatus {
        try check(writing: false)
        return try await backing.status(of: folder)
    }

    @discardableResult
    func createFolder(_ name: String, specialUse: SpecialUse?) async throws -> FolderStatus {
        try check(writing: true)
        return try await backing.createFolder(name, specialUse: specialUse)
    }

    func renameFolder(_ name: String, to newName: String) async throws {
        try check(writing: true)
        return try await backing.renameFolder(name, to: newName)
    }

    func deleteFolder(_ name: String) async throws {
        try check(writing: true)
        return try await backing.deleteFolder(name)
    }

    func setSubscribed(_ name: String, _ subscribed: Bool) async throws {
        try check(writing: true)
        return try await backing.setSubscribed(name, subscribed)
    }

    @discardableResult
    func append(
        _ message: [UInt8], to folder: String, flags: MessageFlags, keywords: [String], internalDate: Date
    ) async throws -> AppendedMessage {
        try check(writing: true)
        return try await backing.append(message, to: folder, flags: flags, keywords: keywords, internalDate: internalDate)
    }

    @discardableResult
    func append(contentsOf messages: [MessageToAppend], to folder: String) async throws -> [AppendedMessage] {
        try check(writing: true)
        return try await backing.append(contentsOf: messages, to: folder)
    }

    func fetch(_ uids: UIDSet, in folder: String, content: FetchContent) async throws -> [FetchedMessage] {
        try check(writing: false)
        return try await backing.fetch(uids, in: folder, content: content)
    }

    func store(
        _ operation: FlagOperation, on uids: UIDSet, in folder: String, unchangedSince: UInt64?
    ) async throws -> StoreResult {
        try check(writing: true)
        return try await backing.store(operation, on: uids, in: folder, unchangedSince: unchangedSince)
    }

    func copy(_ uids: UIDSet, from source: String, to destination: String) async throws -> CopiedMessages {
        try check(writing: true)
        return try await backing.copy(uids, from: source, to: destination)
    }

    func move(_ uids: UIDSet, from source: String, to destination: String) async throws -> CopiedMessages {
        try check(writing: true)
        return try await backing.move(uids, from: source, to: destination)
    }

    func expunge(_ folder: String, uids: UIDSet?) async throws -> [UInt32] {
        try check(writing: true)
        return try await backing.expunge(folder, uids: uids)
    }

    func changes(in folder: String, since modSeq: UInt64) async throws -> FolderChanges {
        try check(writing: false)
        return try await backing.changes(in: folder, since: modSeq)
    }

    func claimRecent(in folder: String, uidValidity: UInt32, below bound: UInt32) async throws -> RecentClaim {
        try check(writing: false)
        if readOnly {
            // As the SQLite mailbox: nothing to claim is no write, so no `.readOnly`.
            let claim = try await backing.recentToClaim(in: folder, uidValidity: uidValidity, below: bound)
            if claim.uids.isEmpty { return claim }
            throw MailboxError.readOnly
        }
        return try await backing.claimRecent(in: folder, uidValidity: uidValidity, below: bound)
    }

    func search(_ query: SearchQuery, in folder: String) async throws -> [UInt32] {
        try check(writing: false)
        return try await backing.search(query, in: folder)
    }

    func threads(in folder: String) async throws -> [[UInt32]] {
        try check(writing: false)
        return try await backing.threads(in: folder)
    }

    func usage() async throws -> MailboxUsage {
        try check(writing: false)
        return try await backing.usage()
    }
}
