import CommunityMailSQL
public import CommunityMailSystem
import Foundation

/// A ``Mailbox`` in one SQLite file: folders, messages (stored byte-exact, shared between
/// copies), flags, MODSEQs, an index of header fields and an FTS5 index of body text.
///
/// The file is opened through a ``MailboxDatabaseOpener`` (plain or encrypted) as a
/// `SQLiteDatabase` in write-ahead-log mode: every SQLite call runs on the blocking executor,
/// never on Swift's cooperative pool. Each operation is one database job: a change is one
/// `BEGIN IMMEDIATE` transaction on the writer (changes queue one at a time), a read one
/// read transaction on a pooled reader, so reads proceed while a change is written.
/// A writable mailbox should be opened through ``MailboxStore``, which keeps other writers
/// (in other processes) out; any number of read-only mailboxes may read the same file at once.
public actor SQLiteMailbox: Mailbox {
    /// How a mailbox file is opened.
    public struct Configuration: Sendable {
        /// Limits enforced on append and copy. Default: none.
        public var quota: MailboxQuota = .unlimited
        /// How the file is opened (plain or encrypted). Default: ``MailboxDatabaseOpener/standard``.
        public var opener: MailboxDatabaseOpener = .standard
        /// Open read-only: every change fails with `MailboxError.readOnly`. Default: false.
        public var readOnly: Bool = false
        /// When commits reach the disk: `.full` syncs every commit, so an accepted message
        /// survives power loss; `.normal` syncs at checkpoints only, which survives
        /// application crashes. Default: `.full`.
        public var synchronous: Synchronous = .full
        /// How long a write waits for another process's write lock before failing with
        /// `MailboxError.locked` (transient). Default: 5 seconds.
        public var busyTimeout: Duration = .seconds(5)
        /// Where the mailbox's SQLite work runs: at most one write and one read per reader
        /// connection (four) are on it at a time, however many tasks call the mailbox; the
        /// rest wait as async suspensions. Default: ``BlockingExecutor/shared``.
        public var executor: BlockingExecutor = .shared
        /// The defaults above.
        public init() {}
    }

    /// The open file; nil once closing has begun.
    var sqlite: SQLiteDatabase?
    /// The one closing, started by the first ``close()`` and awaited by every call.
    private var closing: Task<Void, Never>?
    let configuration: Configuration
    private let lock: MailboxFileLock?
    /// Unregisters the opener's VFS (if it registered one) once the connections are closed.
    private let releaseFile: @Sendable () -> Void
    let hub = MailboxEventHub()

    /// Opens the mailbox file at `path`, creating it (with INBOX and the special-use
    /// folders) when `create` is true and it is missing. Runs on the calling thread (key
    /// derivation, migrations, opening the connections): from async code open through
    /// ``MailboxStore/openMailbox(userID:passphrase:readOnly:)``, which runs it on the executor.
    /// - Parameters:
    ///   - passphrase: the user's passphrase for an encrypting opener; nil for the plain one.
    /// - Throws: `MailboxError.storage` when the file cannot be opened or is not a mailbox,
    ///   `.passphraseNotSupported` when the opener cannot use a passphrase.
    public init(path: String, create: Bool, passphrase: String? = nil, configuration: Configuration = Configuration()) throws {
        try self.init(path: path, create: create, passphrase: passphrase, configuration: configuration, lock: nil)
    }

    init(path: String, create: Bool, passphrase: String?, configuration: Configuration, lock: MailboxFileLock?) throws {
        self.configuration = configuration
        self.lock = lock
        let options = MailboxDatabaseOptions(
            create: create && !configuration.readOnly, readOnly: configuration.readOnly, passphrase: passphrase,
            synchronous: configuration.synchronous)
        var release: @Sendable () -> Void = {}
        do {
            let prepared = try configuration.opener.implementation.open(path: path, options: options)
            release = prepared.release
            let database = prepared.connection
            // Closed after the database below has opened its own connections, so a WAL file
            // is not checkpointed and removed in between.
            defer { database.close() }
            if configuration.readOnly {
                guard try database.userVersion == MailboxSchema.migrations.count else {
                    throw MailboxError.storage.with(message: "the file is not a mailbox of this version")
                }
            } else {
                // Never turn another application's database into a mailbox: a file that is
                // not one yet must be empty, and only when creating.
                if try database.userVersion == 0 {
                    let tables = try database.queryFirst("SELECT count(*) FROM sqlite_schema")?[0].integerValue ?? 0
                    guard create, tables == 0 else { throw MailboxError.storage.with(message: "the file is not a mailbox") }
                }
                try database.migrate(MailboxSchema.migrations)
                try Self.provisionDefaultFolders(database)
            }
            var databaseConfiguration = SQLiteDatabase.Configuration(path: path)
            databaseConfiguration.synchronous = configuration.synchronous
            databaseConfiguration.busyTimeout = configuration.busyTimeout
            databaseConfiguration.executor = configuration.executor
            // Read-only opens no connection that can write (none recovers, checkpoints or
            // migrates the file); SQLite itself refuses any write.
            databaseConfiguration.readOnly = configuration.readOnly
            databaseConfiguration.vfsName = prepared.vfsName
            // Sorts and temporary b-trees (search, threads) stay in memory, as they did on
            // the mailbox's single connection before.
            databaseConfiguration.temporaryStoreInMemory = true
            // Already migrated above: the database only checks the version.
            databaseConfiguration.migrations = MailboxSchema.migrations
            sqlite = try SQLiteDatabase(configuration: databaseConfiguration)
        } catch {
            release()
            throw Self.mapped(error)
        }
        releaseFile = release
    }

    deinit { releaseFile() }

    private static func provisionDefaultFolders(_ database: SQLiteConnection) throws {
        try database.transaction {
            guard try database.queryFirst("SELECT count(*) FROM folders")?[0].integerValue == 0 else { return }
            for use in MailboxRules.defaultFolders {
                try insertFolder(database, name: use.defaultFolderName, specialUse: use, subscribed: true)
            }
        }
    }

    @discardableResult
    static func insertFolder(_ database: SQLiteConnection, name: String, specialUse: SpecialUse?, subscribed: Bool) throws -> Int64 {
        let last = UInt32(try database.queryFirst("SELECT value FROM mailbox_meta WHERE key = 'uidvalidity'")?[0].integerValue ?? 0)
        let uidValidity = MailboxRules.nextUIDValidity(after: last)
        try database.run("UPDATE mailbox_meta SET value = ? WHERE key = 'uidvalidity'", [Int64(uidValidity)])
        let modSeq = try nextModSeq(database)
        try database.run(
            "INSERT INTO folders(name, special_use, subscribed, uid_validity, uid_next, highest_modseq) VALUES (?, ?, ?, ?, 1, ?)",
            [name, specialUse?.rawValue, subscribed, Int64(uidValidity), Int64(modSeq)])
        return database.lastInsertRowID
    }

    static func nextModSeq(_ database: SQLiteConnection) throws -> UInt64 {
        guard let value = try database.queryFirst("UPDATE mailbox_meta SET value = value + 1 WHERE key = 'modseq' RETURNING value")?[0].integerValue
        else { throw MailboxError.storage.with(message: "the MODSEQ counter is missing") }
        return UInt64(value)
    }

    /// Waits for the running operations, closes the file and releases the writer lock;
    /// then ends the event streams, so every committed change's event is delivered first.
    /// A second call made meanwhile waits for the same closing. Later operations fail with
    /// `MailboxError.closed`.
    public func close() async {
        if closing == nil {
            let database = sqlite
            sqlite = nil
            let releaseFile = releaseFile
            let lock = lock
            let hub = hub
            closing = Task {
                await database?.close()
                // Only now: another process could otherwise open the file as its writer
                // while our last writes still commit.
                releaseFile()
                lock?.release()
                hub.finish()
            }
        }
        await closing?.value
    }

    /// Changes made through this mailbox from now on.
    public nonisolated func events() -> AsyncStream<MailboxEvent> { hub.stream() }

    /// Runs `body` as one database job on the executor: in the writer's `BEGIN IMMEDIATE`
    /// transaction when `writing`, else in a read transaction on a reader. Turns SQLite's
    /// errors into `MailboxError`; a cancelled task gets `CancellationError`.
    @discardableResult
    func database<T: Sendable>(writing: Bool, _ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        if writing { return try await change(events: { _ in [] }, body) }
        guard let sqlite else { throw MailboxError.closed }
        return try await Self.mappingErrors { try await sqlite.read(body) }
    }

    /// Runs `body` as one write job, like `database(writing: true)`, and publishes the events
    /// `events` makes of its result once it has committed, before the next write starts: the
    /// change stream then carries changes in commit order (MODSEQ and UID order), whatever
    /// order the writers' tasks resume in.
    @discardableResult
    func change<T: Sendable>(
        events: @escaping @Sendable (T) -> [MailboxEvent], _ body: @escaping @Sendable (SQLiteConnection) throws -> T
    ) async throws -> T {
        guard let sqlite else { throw MailboxError.closed }
        if configuration.readOnly { throw MailboxError.readOnly }
        let hub = self.hub
        return try await Self.mappingErrors { try await sqlite.write(body, committed: { value in hub.publish(events(value)) }) }
    }

    /// What `operation` returns; SQLite's errors as `MailboxError`s, a cancellation as it is.
    private static func mappingErrors<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as CancellationError {
            throw error
        } catch let error as SQLiteError where error == .closed {
            throw MailboxError.closed
        } catch {
            throw Self.mapped(error)
        }
    }

    static func mapped(_ error: any Error) -> MailboxError {
        if let error = error as? MailboxError { return error }
        if let error = error as? SQLiteError {
            if error == .readOnly { return MailboxError.readOnly.with(message: error.message, cause: error) }
            if error == .busy { return MailboxError.locked.with(message: error.message, cause: error) }
            return MailboxError.storage.with(message: error.message, cause: error)
        }
        return MailboxError.storage.with(message: "the mailbox database failed (\(type(of: error)))", cause: error)
    }

    // MARK: Folder rows

    struct FolderRow: Sendable {
        var id: Int64
        var name: String
        var specialUse: SpecialUse?
        var subscribed: Bool
        var uidValidity: UInt32
        var uidNext: UInt32
        var highestModSeq: UInt64
        var firstRecentUID: UInt32
        /// The folder's messages, as the triggers of migration 5 keep the count.
        var messageCount: Int
        /// Its messages without `\Seen`, kept the same way.
        var unseenCount: Int
    }

    static let folderColumns =
        "f.id, f.name, f.special_use, f.subscribed, f.uid_validity, f.uid_next, f.highest_modseq, f.first_recent_uid, f.message_count, f.unseen_count"

    /// The folder of a row. Counters and MODSEQ read from the file are clamped at zero: a
    /// hand-edited or damaged plain file must not make a reader trap on a negative count.
    static func folderRow(_ row: SQLiteRow) -> FolderRow {
        FolderRow(
            id: row[0].integerValue ?? 0, name: row[1].textValue ?? "", specialUse: row[2].textValue.flatMap(SpecialUse.init(rawValue:)),
            subscribed: row[3].integerValue == 1, uidValidity: UInt32(truncatingIfNeeded: row[4].integerValue ?? 0),
            uidNext: UInt32(truncatingIfNeeded: row[5].integerValue ?? 0), highestModSeq: UInt64(clamping: row[6].integerValue ?? 0),
            firstRecentUID: UInt32(truncatingIfNeeded: row[7].integerValue ?? 1), messageCount: Int(clamping: max(0, row[8].integerValue ?? 0)),
            unseenCount: Int(clamping: max(0, row[9].integerValue ?? 0)))
    }

    nonisolated func folder(_ name: String, in database: SQLiteConnection) throws -> FolderRow {
        let canonical = try MailboxRules.canonicalFolderName(name)
        guard let row = try database.queryFirst("SELECT \(Self.folderColumns) FROM folders f WHERE f.name = ?", [canonical]) else {
            throw MailboxError.folderNotFound.with(message: "no folder named \"\(name)\"")
        }
        return Self.folderRow(row)
    }

    // MARK: Folders

    /// Every folder, INBOX first, then by name: the counts from the folder rows, the recent
    /// count over each folder's UIDs from its first recent one.
    public func folders() async throws -> [FolderStatus] {
        try await database(writing: false) { database in
            try database.query(
                """
                SELECT \(Self.folderColumns),
                    (SELECT count(*) FROM messages m WHERE m.folder_id = f.id AND m.uid >= f.first_recent_uid)
                FROM folders f
                """
            ).map { row in
                let folder = Self.folderRow(row)
                return Self.status(folder, count: folder.messageCount, unseen: folder.unseenCount, recent: Int(clamping: max(0, row[10].integerValue ?? 0)))
            }.sorted(by: MailboxRules.folderOrder)
        }
    }

    static func status(_ folder: FolderRow, count: Int, unseen: Int, recent: Int) -> FolderStatus {
        FolderStatus(
            name: folder.name, specialUse: folder.specialUse, isSubscribed: folder.subscribed, uidValidity: folder.uidValidity,
            uidNext: folder.uidNext, messageCount: count, unseenCount: unseen, highestModSeq: folder.highestModSeq,
            firstRecentUID: folder.firstRecentUID, recentCount: recent)
    }

    /// The folder's status: its counts as its row keeps them; the recent messages counted
    /// over the (folder_id, uid) index from the first recent UID (none to count when every
    /// UID below UIDNEXT has been claimed, the usual case).
    nonisolated func status(_ folder: FolderRow, in database: SQLiteConnection) throws -> FolderStatus {
        var recent = 0
        if folder.firstRecentUID < folder.uidNext {
            recent = Int(
                try database.queryFirst(
                    "SELECT count(*) FROM messages WHERE folder_id = ? AND uid >= ?", [folder.id, Int64(folder.firstRecentUID)]
                )?[0].integerValue ?? 0)
        }
        return Self.status(folder, count: folder.messageCount, unseen: folder.unseenCount, recent: recent)
    }

    /// Claims the folder's `\Recent` messages: reads the folder first, and when there is
    /// something to claim, checks its UIDVALIDITY and raises its first unclaimed UID to the
    /// bound (or UIDNEXT) again in one write transaction, so concurrent claims (this
    /// process's sessions, or another process's, serialised by the write lock) never overlap
    /// and a claim with nothing to take makes no write.
    public func claimRecent(in folder: String, uidValidity: UInt32, below bound: UInt32) async throws -> RecentClaim {
        let plan: @Sendable (FolderRow) -> RecentClaim = { target in
            RecentClaim.planned(
                folderUIDValidity: target.uidValidity, firstRecentUID: target.firstRecentUID, uidNext: target.uidNext,
                uidValidity: uidValidity, bound: bound)
        }
        let seen = try await database(writing: false) { [self] database in plan(try self.folder(folder, in: database)) }
        guard !seen.uids.isEmpty else { return seen }
        return try await database(writing: true) { [self] database in
            let target = try self.folder(folder, in: database)
            let claim = plan(target)
            if !claim.uids.isEmpty {
                try database.run("UPDATE folders SET first_recent_uid = ? WHERE id = ?", [Int64(claim.uids.upperBound), target.id])
            }
            return claim
        }
    }

    /// One folder's status.
    public func status(of folder: String) async throws -> FolderStatus {
        try await database(writing: false) { [self] database in try status(try self.folder(folder, in: database), in: database) }
    }

    /// Creates a folder.
    @discardableResult
    public func createFolder(_ name: String, specialUse: SpecialUse?) async throws -> FolderStatus {
        let created = try await change(events: { [.folderCreated($0.name)] }) { [self] database in
            let canonical = try MailboxRules.canonicalFolderName(name)
            guard try database.queryFirst("SELECT 1 FROM folders WHERE name = ?", [canonical]) == nil else {
                throw MailboxError.folderExists.with(message: "a folder named \"\(canonical)\" exists")
            }
            if let specialUse {
                guard specialUse != .inbox, try database.queryFirst("SELECT 1 FROM folders WHERE special_use = ?", [specialUse.rawValue]) == nil
                else { throw MailboxError.specialUseTaken.with(message: "another folder is already \(specialUse.rawValue)") }
            }
            try Self.insertFolder(database, name: canonical, specialUse: specialUse, subscribed: false)
            return try status(try folder(canonical, in: database), in: database)
        }
        return created
    }

    /// Renames a folder and the folders below it.
    public func renameFolder(_ name: String, to newName: String) async throws {
        try await change(events: { $0 }) { [self] database -> [MailboxEvent] in
            let source = try folder(name, in: database).name
            let target = try MailboxRules.canonicalFolderName(newName)
            if source == MailboxRules.inbox {
                // RFC 3501 6.3.5: renaming INBOX moves its messages to a new folder and leaves it empty.
                guard target != MailboxRules.inbox else { throw MailboxError.folderExists.with(message: "INBOX exists") }
                guard try database.queryFirst("SELECT 1 FROM folders WHERE name = ?", [target]) == nil else {
                    throw MailboxError.folderExists.with(message: "a folder named \"\(target)\" exists")
                }
                try Self.insertFolder(database, name: target, specialUse: nil, subscribed: false)
                let moved = try transferRows(.all, from: source, to: target, removing: true, database)
                return [.folderCreated(target)] + Self.transferEvents(moved.copied, from: source, to: target, removing: true)
            }
            guard !MailboxRules.isSelfOrDescendant(target, of: MailboxRules.inbox) else {
                throw MailboxError.invalidFolderName.with(message: "only INBOX's own children are named INBOX/...")
            }
            guard !MailboxRules.isSelfOrDescendant(target, of: source) else {
                throw MailboxError.invalidFolderName.with(message: "a folder cannot move below itself")
            }
            let moving = try database.query("SELECT id, name FROM folders").compactMap { row -> (Int64, String)? in
                guard let id = row[0].integerValue, let folderName = row[1].textValue,
                    MailboxRules.isSelfOrDescendant(folderName, of: source)
                else { return nil }
                return (id, target + folderName.dropFirst(source.count))
            }
            for (_, renamed) in moving where try database.queryFirst("SELECT 1 FROM folders WHERE name = ?", [renamed]) != nil {
                throw MailboxError.folderExists.with(message: "a folder named \"\(renamed)\" exists")
            }
            for (id, renamed) in moving { try database.run("UPDATE folders SET name = ? WHERE id = ?", [renamed, id]) }
            return [.folderRenamed(from: source, to: target)]
        }
    }

    /// Deletes a folder and its messages.
    public func deleteFolder(_ name: String) async throws {
        try await change(events: { [.folderDeleted($0)] }) { [self] database in
            let existing = try folder(name, in: database)
            guard existing.name != MailboxRules.inbox else { throw MailboxError.folderNotRemovable }
            try database.run("DELETE FROM folders WHERE id = ?", [existing.id])
            return existing.name
        }
    }

    /// Subscribes or unsubscribes.
    public func setSubscribed(_ name: String, _ subscribed: Bool) async throws {
        try await database(writing: true) { [self] database in
            try database.run("UPDATE folders SET subscribed = ? WHERE id = ?", [subscribed, try folder(name, in: database).id])
        }
    }

    /// Usage and limits.
    public func usage() async throws -> MailboxUsage {
        try await database(writing: false) { [self] database in
            let used = try Self.used(database)
            return MailboxUsage(bytes: used.bytes, messages: used.messages, quota: configuration.quota)
        }
    }

    /// The bytes and messages stored, as the counters in `mailbox_meta` keep them.
    static func used(_ database: SQLiteConnection) throws -> (bytes: Int, messages: Int) {
        let rows = try database.query("SELECT key, value FROM mailbox_meta WHERE key IN ('bytes', 'messages')")
        let values = Dictionary(uniqueKeysWithValues: rows.map { ($0[0].textValue ?? "", Int($0[1].integerValue ?? 0)) })
        return (values["bytes"] ?? 0, values["messages"] ?? 0)
    }
}
