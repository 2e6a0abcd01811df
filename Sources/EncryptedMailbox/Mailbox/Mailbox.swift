public import Foundation

/// One user's mail, as an IMAP or POP3 server needs it: folders with UIDs that only grow,
/// flags and keywords, MODSEQs for CONDSTORE/QRESYNC, an index for search and threads, and
/// a quota. ``SQLiteMailbox`` keeps it in a SQLite file; ``InMemoryMailbox`` is the fake
/// with the same rules, for tests.
///
/// Rules every implementation keeps:
/// - Folder names are levels joined by ``Mailbox/delimiter`` (`/`); `INBOX` always exists,
///   is matched case-insensitively, and cannot be deleted (renaming it moves its messages).
/// - UIDs in a folder are given in strictly increasing order and never reused, even after
///   expunge; UIDNEXT never goes down. A folder created anew gets a new UIDVALIDITY.
/// - Every change (append, flag change, expunge) takes a new MODSEQ from one counter for
///   the whole mailbox, so MODSEQs strictly grow within each folder.
/// - Messages are stored byte-exact, whether or not they parse.
/// - Append and copy fail with `MailboxError.quotaExceeded` when they would go over the quota;
///   move within a mailbox does not change the usage and is always allowed.
public protocol Mailbox: Sendable {
    /// The hierarchy delimiter between folder levels.
    static var delimiter: Character { get }

    // MARK: Folders

    /// Every folder, sorted by name with INBOX first.
    func folders() async throws -> [FolderStatus]
    /// One folder's status.
    /// - Throws: `MailboxError.folderNotFound`.
    func status(of folder: String) async throws -> FolderStatus
    /// Creates a folder (parents are not created: the hierarchy is in the names).
    /// - Throws: `.invalidFolderName`, `.folderExists`, `.specialUseTaken`.
    @discardableResult
    func createFolder(_ name: String, specialUse: SpecialUse?) async throws -> FolderStatus
    /// Renames a folder and every folder below it; messages keep their UIDs and the
    /// folders keep their UIDVALIDITY. Renaming INBOX, as RFC 3501 says, creates the new
    /// folder, moves INBOX's messages there (new UIDs) and leaves INBOX empty.
    /// - Throws: `.folderNotFound`, `.folderExists`, `.invalidFolderName` (a folder below
    ///   itself, or a new name under INBOX for another folder).
    func renameFolder(_ name: String, to newName: String) async throws
    /// Deletes a folder and its messages (folders below it stay).
    /// - Throws: `.folderNotFound`, `.folderNotRemovable` for INBOX.
    func deleteFolder(_ name: String) async throws
    /// Subscribes to or unsubscribes from a folder.
    func setSubscribed(_ name: String, _ subscribed: Bool) async throws

    // MARK: Messages

    /// Stores `message` byte-exact at the end of `folder` and indexes its header and text.
    /// - Parameters:
    ///   - internalDate: when it arrived; kept to the second.
    /// - Throws: `.folderNotFound`, `.invalidKeyword`, `.quotaExceeded`.
    @discardableResult
    func append(
        _ message: [UInt8], to folder: String, flags: MessageFlags, keywords: [String], internalDate: Date
    ) async throws -> AppendedMessage
    /// Appends several messages atomically (IMAP MULTIAPPEND, RFC 3502): all are stored or
    /// none is, and the quota is checked for the whole batch. Each gets its own UID and
    /// MODSEQ, in order.
    /// - Throws: as ``append(_:to:flags:keywords:internalDate:)``.
    @discardableResult
    func append(contentsOf messages: [MessageToAppend], to folder: String) async throws -> [AppendedMessage]
    /// The messages of `folder` whose UIDs are in `uids`, ascending, with `content`.
    func fetch(_ uids: UIDSet, in folder: String, content: FetchContent) async throws -> [FetchedMessage]
    /// How many octets a ``fetch(_:in:content:)`` of `content` holds, at most, for each
    /// message of `folder` whose UID is in `uids`, by UID; UIDs the folder does not hold
    /// are absent. `.whole` and `.text`: the message's size in RFC 5322 form
    /// (``MessageSize``, never fewer than its stored bytes; RFC822.SIZE); `.header`: the
    /// header block's stored length; `.metadata`: 0. What a reader needs to plan reads of
    /// content without reading any (IMAP FETCH in batches bounded by octets, STATUS SIZE).
    /// A default counts every message whole, from ``fetch(_:in:content:)`` of metadata.
    /// - Throws: `.folderNotFound`.
    func sizes(of uids: UIDSet, in folder: String, content: FetchContent) async throws -> [UInt32: Int]
    /// Changes flags and keywords. With `unchangedSince`, messages whose MODSEQ is above it
    /// are left alone and reported as modified (RFC 7162).
    func store(
        _ operation: FlagOperation, on uids: UIDSet, in folder: String, unchangedSince: UInt64?
    ) async throws -> StoreResult
    /// Copies messages to the end of `destination`, flags and keywords included, with new UIDs.
    /// - Throws: `.quotaExceeded` when the copies would not fit.
    func copy(_ uids: UIDSet, from source: String, to destination: String) async throws -> CopiedMessages
    /// Moves messages (RFC 6851): copies them with new UIDs, then expunges them from the
    /// source, atomically.
    func move(_ uids: UIDSet, from source: String, to destination: String) async throws -> CopiedMessages
    /// Removes the messages flagged `\Deleted` (only those in `uids`, when given, as UID
    /// EXPUNGE does); returns their UIDs, ascending.
    func expunge(_ folder: String, uids: UIDSet?) async throws -> [UInt32]
    /// Messages added or changed, and UIDs expunged, after `modSeq`.
    func changes(in folder: String, since modSeq: UInt64) async throws -> FolderChanges
    /// The folder's status and every message's state, read together.
    /// - Throws: `MailboxError.folderNotFound`.
    func snapshot(of folder: String) async throws -> FolderSnapshot

    /// Claims the folder's `\Recent` messages (RFC 3501 section 2.3.2) for one session: in
    /// one change, checks that the folder still has the `uidValidity` the session selected,
    /// reads its first unclaimed UID (``FolderStatus/firstRecentUID``) and raises it to
    /// `bound` (at most UIDNEXT; never lowers it). `bound` is one past the last UID the
    /// session has reported or is about to report: the messages above it stay unclaimed for
    /// the session that reports them first. Two claims, from any sessions, handles or
    /// processes on the same mailbox, never both get a message; the threshold is saved with
    /// the mailbox, so a message is recent once across restarts. Appends, copies and moves
    /// add messages above it (recent); a folder made anew starts at UID 1.
    ///
    /// A folder whose UIDVALIDITY is no longer `uidValidity` (deleted and made again since
    /// the caller read it) is left alone: the claim is empty and carries the folder's
    /// current UIDVALIDITY. When there is nothing to claim, nothing is written.
    /// - Throws: `.folderNotFound`; `.readOnly` from a read-only mailbox when there is
    ///   something to claim.
    func claimRecent(in folder: String, uidValidity: UInt32, below bound: UInt32) async throws -> RecentClaim

    // MARK: Search, threads, quota

    /// UIDs of the messages in `folder` that match `query`, ascending.
    func search(_ query: SearchQuery, in folder: String) async throws -> [UInt32]
    /// The folder's messages grouped into conversations from Message-ID, In-Reply-To and
    /// References: each thread's UIDs ascending, threads ordered by their first UID.
    func threads(in folder: String) async throws -> [[UInt32]]
    /// Current usage and limits.
    func usage() async throws -> MailboxUsage
    /// The changes made through this mailbox from now on, each after it is saved, in order;
    /// the stream ends when the mailbox closes. (Other processes' changes are not seen here:
    /// poll ``changes(in:since:)`` for those.)
    func events() async -> AsyncStream<MailboxEvent>
    /// Closes the mailbox and releases its writer lock; later calls fail with `MailboxError.closed`.
    func close() async
}

extension Mailbox {
    /// The hierarchy delimiter: `/`.
    public static var delimiter: Character { "/" }

    /// Creates a folder with no special use.
    @discardableResult
    public func createFolder(_ name: String) async throws -> FolderStatus {
        try await createFolder(name, specialUse: nil)
    }

    /// Appends with no flags, no keywords, and now as the internal date.
    @discardableResult
    public func append(_ message: [UInt8], to folder: String) async throws -> AppendedMessage {
        try await append(message, to: folder, flags: [], keywords: [], internalDate: Date())
    }

    /// Stores unconditionally.
    public func store(_ operation: FlagOperation, on uids: UIDSet, in folder: String) async throws -> StoreResult {
        try await store(operation, on: uids, in: folder, unchangedSince: nil)
    }

    /// Expunges every `\Deleted` message of the folder.
    public func expunge(_ folder: String) async throws -> [UInt32] {
        try await expunge(folder, uids: nil)
    }

    /// Claims nothing: the default for a mailbox that does not keep `\Recent`. Its
    /// sessions then show no message as `\Recent` (its ``FolderStatus/firstRecentUID``
    /// is UIDNEXT unless it says otherwise), and a SELECT makes no write for it.
    public func claimRecent(in folder: String, uidValidity: UInt32, below bound: UInt32) async throws -> RecentClaim {
        RecentClaim(uidValidity: uidValidity, uids: bound..<bound)
    }

    /// The whole sizes from ``fetch(_:in:content:)`` of metadata, for any `content` but
    /// `.metadata` (a header is never larger than its message).
    public func sizes(of uids: UIDSet, in folder: String, content: FetchContent) async throws -> [UInt32: Int] {
        var sizes: [UInt32: Int] = [:]
        for message in try await fetch(uids, in: folder, content: .metadata) { sizes[message.uid] = content == .metadata ? 0 : message.size }
        return sizes
    }

    /// The messages' sizes in RFC 5322 form (RFC822.SIZE), by UID: ``sizes(of:in:content:)``
    /// of `.whole`.
    public func sizes(of uids: UIDSet, in folder: String) async throws -> [UInt32: Int] {
        try await sizes(of: uids, in: folder, content: .whole)
    }

    /// The status, then every message through `changes(in:since: 0)`; the counts and
    /// HIGHESTMODSEQ are those of the messages read.
    public func snapshot(of folder: String) async throws -> FolderSnapshot {
        var status = try await status(of: folder)
        let all = try await changes(in: status.name, since: 0)
        status.messageCount = all.changed.count
        status.unseenCount = all.changed.reduce(0) { $0 + ($1.flags.contains(.seen) ? 0 : 1) }
        status.recentCount = all.changed.reduce(0) { $0 + ($1.uid >= status.firstRecentUID ? 1 : 0) }
        status.highestModSeq = all.highestModSeq
        return FolderSnapshot(status: status, messages: all.changed)
    }
}
