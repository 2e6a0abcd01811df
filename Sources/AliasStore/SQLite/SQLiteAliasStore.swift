import CommunityMailSQL
public import CommunityMailSystem
import Foundation

/// An ``AliasStore`` in one SQLite file: WAL, schema migrations by `user_version`,
/// foreign keys, unique indexes, one IMMEDIATE transaction per change, and a busy timeout.
///
/// The file is a `SQLiteDatabase`: one writer connection, so changes run one at a time in the
/// process, and a few reader connections, so reads (resolution above all) run in parallel
/// with it, each inside a read transaction so it sees one committed state. All of it runs on
/// the blocking executor's threads, never on Swift's cooperative pool. Other processes may
/// open the same file; SQLite's locks and the busy timeout keep them consistent.
public final class SQLiteAliasStore: AliasStore {
    /// How to open the store.
    public struct Configuration: Sendable {
        /// The rules. Default: ``AliasPolicy/init()``.
        public var policy = AliasPolicy()
        /// Where times come from. Default: the system clock.
        public var clock: any ServiceClock = SystemClock()
        /// How many read connections to keep. Default: 4.
        public var readConnections = 4
        /// How long to wait for another process's lock. Default: 5 seconds.
        public var busyTimeout: Duration = .seconds(5)
        /// When commits reach the disk. Default: `.full` (every commit).
        public var synchronous: Synchronous = .full

        /// The defaults above.
        public init() {}
    }

    /// The rules this store enforces.
    public let policy: AliasPolicy
    /// The database file.
    public let path: String
    private let clock: any ServiceClock
    private let database: SQLiteDatabase
    private let patterns = AliasPatternCache()
    private let resolutionCache = ResolutionCache()

    /// Opens (creating or migrating) the store at `path`, on the calling thread (a start-up
    /// step).
    /// - Throws: ``AliasStoreError/storage`` when the file cannot be opened or migrated (its
    ///   ``AliasStoreError/cause`` says why).
    public init(path: String, configuration: Configuration = Configuration()) throws(AliasStoreError) {
        var options = SQLiteDatabase.Configuration(path: path)
        options.busyTimeout = configuration.busyTimeout
        options.synchronous = configuration.synchronous
        options.readerCount = configuration.readConnections
        options.migrations = Self.migrations
        self.policy = configuration.policy
        self.clock = configuration.clock
        self.path = path
        do {
            database = try SQLiteDatabase(configuration: options)
        } catch {
            throw AliasStoreError.storage.caused(by: error, context: "cannot open the alias store")
        }
    }

    /// Closes the file: waits for the calls already running, closes every connection (the
    /// last checkpoints the write-ahead log into the file and removes it), so the file can be
    /// deleted, moved or reopened as soon as this returns. Calls made afterwards fail with
    /// ``AliasStoreError/storage`` whose cause is `SQLiteError.closed` (not transient), except
    /// ``resolve(_:)``, which never throws: it answers 451 4.3.0
    /// (``RejectionReason/storageUnavailable``), as for any storage failure, so mail that
    /// arrives while a host (by mistake) still resolves on a closed store is deferred, not
    /// refused. A second call waits for the same closing.
    public func close() async { await database.close() }

    /// Runs `body` in one read transaction on a reader.
    private func read<T: Sendable>(
        _ body: @escaping @Sendable (SQLiteAliasReader) throws(AliasStoreError) -> T
    ) async throws(AliasStoreError) -> T {
        do {
            return try await database.read { connection in try body(SQLiteAliasReader(connection: connection)) }
        } catch {
            throw AliasStoreError.storage.caused(by: error, context: "cannot read the alias store")
        }
    }

    /// Runs one change in one write transaction, stamped with the clock's time.
    private func change<T: Sendable>(
        _ body: @escaping @Sendable (SQLiteAliasWriter) throws(AliasStoreError) -> T
    ) async throws(AliasStoreError) -> T {
        let policy = policy
        let clock = clock
        let resolutionCache = resolutionCache
        do {
            return try await database.write({ connection in
                try body(SQLiteAliasWriter(connection: connection, policy: policy, time: clock.now().truncatedToMilliseconds))
            }, committed: { _ in
                // Before the next write or read on an in-memory store's one connection, whose
                // own commits `PRAGMA data_version` does not count.
                resolutionCache.invalidate()
            })
        } catch {
            throw AliasStoreError.storage.caused(by: error, context: "cannot change the alias store")
        }
    }

    // MARK: Users

    /// Creates or replaces a user.
    public func saveUser(_ user: User, by actor: ChangeActor) async throws -> User { try await change { writer throws(AliasStoreError) in try writer.saveUser(user, by: actor) } }

    /// Sets or releases a user's claimed identifier.
    public func rebindUser(id: String, claimedIdentifier: String?, by actor: ChangeActor) async throws -> User {
        try await change { writer throws(AliasStoreError) in try writer.rebindUser(id: id, claimedIdentifier: claimedIdentifier, by: actor) }
    }

    /// Moves a user's record to another id in one write transaction.
    public func moveUser(id: String, to user: User, deletingAliasesProvisionedBy provisioner: ChangeActor?, by actor: ChangeActor) async throws -> UserMove {
        try await change { writer throws(AliasStoreError) in try writer.moveUser(id: id, to: user, deletingAliasesProvisionedBy: provisioner, by: actor) }
    }

    /// The user with `id`.
    public func user(id: String) async throws -> User? { try await read { reader throws(AliasStoreError) in try reader.user(id) } }

    /// The user holding `claimedIdentifier`.
    public func user(claimedIdentifier: String) async throws -> User? {
        try await read { reader throws(AliasStoreError) in try reader.user(claimedIdentifier: claimedIdentifier) }
    }

    /// Every user.
    public func users() async throws -> [User] { try await read { reader throws(AliasStoreError) in try reader.users() } }

    /// Deletes a user who owns nothing.
    public func deleteUser(id: String, by actor: ChangeActor) async throws { try await change { writer throws(AliasStoreError) in try writer.deleteUser(id: id, by: actor) } }

    // MARK: Domains

    /// Adds a domain.
    public func createDomain(_ name: String, plan: DomainPlan, verificationToken: String?, by actor: ChangeActor) async throws -> Domain {
        try await change { writer throws(AliasStoreError) in try writer.createDomain(name, plan: plan, verificationToken: verificationToken, by: actor) }
    }

    /// The domain called `name`.
    public func domain(named name: String) async throws -> Domain? {
        guard let ascii = try? EmailAddress.normalizeDomain(name) else { return nil }
        return try await read { reader throws(AliasStoreError) in try reader.domain(ascii) }
    }

    /// Every domain.
    public func domains() async throws -> [Domain] { try await read { reader throws(AliasStoreError) in try reader.domains() } }

    /// Changes a domain's plan.
    public func setPlan(_ plan: DomainPlan, forDomain name: String, by actor: ChangeActor) async throws -> Domain {
        try await change { writer throws(AliasStoreError) in try writer.setPlan(plan, forDomain: name, by: actor) }
    }

    /// Records a verification check.
    public func recordVerification(domain name: String, verified: Bool, by actor: ChangeActor) async throws -> Domain {
        try await change { writer throws(AliasStoreError) in try writer.recordVerification(domain: name, verified: verified, by: actor) }
    }

    /// Adds a member or changes their role.
    public func setMember(_ userID: String, role: DomainRole, onDomain name: String, by actor: ChangeActor) async throws -> Domain {
        try await change { writer throws(AliasStoreError) in try writer.setMember(userID, role: role, onDomain: name, by: actor) }
    }

    /// Removes a member.
    public func removeMember(_ userID: String, fromDomain name: String, by actor: ChangeActor) async throws -> Domain {
        try await change { writer throws(AliasStoreError) in try writer.removeMember(userID, fromDomain: name, by: actor) }
    }

    /// Deletes a domain without aliases.
    public func deleteDomain(named name: String, by actor: ChangeActor) async throws { try await change { writer throws(AliasStoreError) in try writer.deleteDomain(named: name, by: actor) } }

    // MARK: Aliases

    /// Creates an alias.
    public func createAlias(_ alias: NewAlias, by actor: ChangeActor) async throws -> Alias { try await change { writer throws(AliasStoreError) in try writer.createAlias(alias, by: actor) } }

    /// Updates an alias at its current revision.
    public func updateAlias(_ alias: Alias, by actor: ChangeActor) async throws -> Alias { try await change { writer throws(AliasStoreError) in try writer.updateAlias(alias, by: actor) } }

    /// Deletes an alias.
    public func deleteAlias(id: Int64, by actor: ChangeActor) async throws { try await change { writer throws(AliasStoreError) in try writer.deleteAlias(id: id, by: actor) } }

    /// The alias with `id`.
    public func alias(id: Int64) async throws -> Alias? {
        try await read { reader throws(AliasStoreError) in try reader.aliases(where: "a.id = ?", [id], orderBy: "a.id").first }
    }

    /// The alias called `name` on `domain`.
    public func alias(named name: String, domain: String) async throws -> Alias? {
        guard let ascii = try? EmailAddress.normalizeDomain(domain) else { return nil }
        let key = AliasKind(name: name) == .exact ? name.lowercased() : name
        return try await read { reader throws(AliasStoreError) in 
            try reader.aliases(where: "a.domain = ? AND a.name = ?", [ascii, key], orderBy: "a.id").first
        }
    }

    /// The aliases on `domain`.
    public func aliases(domain: String) async throws -> [Alias] {
        guard let ascii = try? EmailAddress.normalizeDomain(domain) else { return [] }
        return try await read { reader throws(AliasStoreError) in try reader.aliases(where: "a.domain = ?", [ascii], orderBy: "a.name") }
    }

    /// The aliases `owner` owns.
    public func aliases(owner: String) async throws -> [Alias] {
        try await read { reader throws(AliasStoreError) in try reader.aliases(where: "a.owner = ?", [owner], orderBy: "a.id") }
    }

    // MARK: Resolution, log, snapshots

    /// Resolves `address` in one job on a reader (one read transaction for all its look-ups,
    /// compiled statements, remembered domain states); a storage failure is a 451 4.3.0
    /// rejection.
    public func resolve(_ address: String) async -> Resolution {
        let policy = policy
        let patterns = patterns
        let resolutionCache = resolutionCache
        do {
            return try await database.read { connection in
                let reader = SQLiteAliasReader(connection: connection, cache: try resolutionCache.view(on: connection))
                return AliasResolver(policy: policy, reader: reader, patterns: patterns).resolve(address)
            }
        } catch {
            return .rejected(Rejection(.storageUnavailable))
        }
    }

    /// Change-log entries after `cursor`.
    public func changes(after cursor: Int64, limit: Int) async throws -> [ChangeLogEntry] {
        try await read { reader throws(AliasStoreError) in try reader.changes(after: cursor, limit: limit) }
    }

    /// Everything, from one read transaction.
    public func snapshot() async throws -> AliasStoreSnapshot {
        try await read { reader throws(AliasStoreError) in
            AliasStoreSnapshot(
                users: try reader.users(), domains: try reader.domains(),
                aliases: try reader.aliases(where: "1", [], orderBy: "a.id"),
                changes: try reader.changes(after: 0, limit: Int.max), lastAliasID: try reader.lastAliasID())
        }
    }

    /// Loads `snapshot` into this empty store.
    public func restore(_ snapshot: AliasStoreSnapshot) async throws { try await change { writer throws(AliasStoreError) in try writer.restore(snapshot) } }

}
