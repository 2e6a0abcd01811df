import CommunityMailSQL
import CommunityMailSystem
import Foundation

/// An ``AliasStore`` in one SQLite file: WAL, schema migrations by `user_version`,
/// foreign keys, unique indexes, one IMMEDIATE transaction per change, and a busy timeout.
///
/// One actor owns the only write connection, so changes are serialised in the process;
/// reads (resolution above all) run on a small pool of read connections in parallel with
/// it, each inside a read transaction so it sees one committed state. Other processes may
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
        /// `PRAGMA synchronous`. Default: `.full` (every commit reaches the disk).
        public var synchronous: SQLiteSynchronous = .full

        /// The defaults above.
        public init() {}
    }

    /// `PRAGMA synchronous` levels.
    public enum SQLiteSynchronous: Sendable {
        /// Sync at WAL checkpoints only: durable across crashes of the process, not power loss.
        case normal
        /// Sync every commit.
        case full
    }

    /// The rules this store enforces.
    public let policy: AliasPolicy
    /// The database file.
    public let path: String
    private let writer: SQLiteAliasWriter
    private let readers: SQLiteReadPool
    private let patterns = AliasPatternCache()

    /// Opens (creating or migrating) the store at `path`.
    /// - Throws: ``AliasStoreError/storage`` when the file cannot be opened or migrated.
    public init(path: String, configuration: Configuration = Configuration()) throws(AliasStoreError) {
        var connection = SQLiteConnection.Configuration()
        connection.busyTimeout = configuration.busyTimeout
        connection.synchronous = configuration.synchronous == .full ? .full : .normal
        self.policy = configuration.policy
        self.path = path
        do {
            self.writer = try SQLiteAliasWriter(path: path, configuration: connection, policy: configuration.policy, clock: configuration.clock)
            self.readers = try SQLiteReadPool(path: path, count: configuration.readConnections, configuration: connection)
        } catch {
            throw AliasStoreError.storage.with(message: "cannot open the alias store: \(error.message)")
        }
    }

    private func read<T: Sendable>(_ body: (SQLiteAliasReader) throws(AliasStoreError) -> T) throws(AliasStoreError) -> T {
        try readers.read { connection throws(AliasStoreError) in try body(SQLiteAliasReader(connection: connection)) }
    }

    // MARK: Users

    /// Creates or replaces a user.
    public func saveUser(_ user: User, by actor: ChangeActor) async throws -> User { try await writer.saveUser(user, by: actor) }

    /// Sets or releases a user's claimed identifier.
    public func rebindUser(id: String, claimedIdentifier: String?, by actor: ChangeActor) async throws -> User {
        try await writer.rebindUser(id: id, claimedIdentifier: claimedIdentifier, by: actor)
    }

    /// Moves a user's record to another id in one write transaction.
    public func moveUser(id: String, to user: User, deletingAliasesProvisionedBy provisioner: ChangeActor?, by actor: ChangeActor) async throws -> UserMove {
        try await writer.moveUser(id: id, to: user, deletingAliasesProvisionedBy: provisioner, by: actor)
    }

    /// The user with `id`.
    public func user(id: String) async throws -> User? { try read { reader throws(AliasStoreError) in try reader.user(id) } }

    /// The user holding `claimedIdentifier`.
    public func user(claimedIdentifier: String) async throws -> User? {
        try read { reader throws(AliasStoreError) in try reader.user(claimedIdentifier: claimedIdentifier) }
    }

    /// Every user.
    public func users() async throws -> [User] { try read { reader throws(AliasStoreError) in try reader.users() } }

    /// Deletes a user who owns nothing.
    public func deleteUser(id: String, by actor: ChangeActor) async throws { try await writer.deleteUser(id: id, by: actor) }

    // MARK: Domains

    /// Adds a domain.
    public func createDomain(_ name: String, plan: DomainPlan, verificationToken: String?, by actor: ChangeActor) async throws -> Domain {
        try await writer.createDomain(name, plan: plan, verificationToken: verificationToken, by: actor)
    }

    /// The domain called `name`.
    public func domain(named name: String) async throws -> Domain? {
        guard let ascii = try? EmailAddress.normalizeDomain(name) else { return nil }
        return try read { reader throws(AliasStoreError) in try reader.domain(ascii) }
    }

    /// Every domain.
    public func domains() async throws -> [Domain] { try read { reader throws(AliasStoreError) in try reader.domains() } }

    /// Changes a domain's plan.
    public func setPlan(_ plan: DomainPlan, forDomain name: String, by actor: ChangeActor) async throws -> Domain {
        try await writer.setPlan(plan, forDomain: name, by: actor)
    }

    /// Records a verification check.
    public func recordVerification(domain name: String, verified: Bool, by actor: ChangeActor) async throws -> Domain {
        try await writer.recordVerification(domain: name, verified: verified, by: actor)
    }

    /// Adds a member or changes their role.
    public func setMember(_ userID: String, role: DomainRole, onDomain name: String, by actor: ChangeActor) async throws -> Domain {
        try await writer.setMember(userID, role: role, onDomain: name, by: actor)
    }

    /// Removes a member.
    public func removeMember(_ userID: String, fromDomain name: String, by actor: ChangeActor) async throws -> Domain {
        try await writer.removeMember(userID, fromDomain: name, by: actor)
    }

    /// Deletes a domain without aliases.
    public func deleteDomain(named name: String, by actor: ChangeActor) async throws { try await writer.deleteDomain(named: name, by: actor) }

    // MARK: Aliases

    /// Creates an alias.
    public func createAlias(_ alias: NewAlias, by actor: ChangeActor) async throws -> Alias { try await writer.createAlias(alias, by: actor) }

    /// Updates an alias at its current revision.
    public func updateAlias(_ alias: Alias, by actor: ChangeActor) async throws -> Alias { try await writer.updateAlias(alias, by: actor) }

    /// Deletes an alias.
    public func deleteAlias(id: Int64, by actor: ChangeActor) async throws { try await writer.deleteAlias(id: id, by: actor) }

    /// The alias with `id`.
    public func alias(id: Int64) async throws -> Alias? {
        try read { reader throws(AliasStoreError) in try reader.aliases(where: "a.id = ?", [id], orderBy: "a.id").first }
    }

    /// The alias called `name` on `domain`.
    public func alias(named name: String, domain: String) async throws -> Alias? {
        guard let ascii = try? EmailAddress.normalizeDomain(domain) else { return nil }
        let key = AliasKind(name: name) == .exact ? name.lowercased() : name
        return try read { reader throws(AliasStoreError) in try reader.exactAlias(domain: ascii, name: key)?.alias }
    }

    /// The aliases on `domain`.
    public func aliases(domain: String) async throws -> [Alias] {
        guard let ascii = try? EmailAddress.normalizeDomain(domain) else { return [] }
        return try read { reader throws(AliasStoreError) in try reader.aliases(where: "a.domain = ?", [ascii], orderBy: "a.name") }
    }

    /// The aliases `owner` owns.
    public func aliases(owner: String) async throws -> [Alias] {
        try read { reader throws(AliasStoreError) in try reader.aliases(where: "a.owner = ?", [owner], orderBy: "a.id") }
    }

    // MARK: Resolution, log, snapshots

    /// Resolves `address`; a storage failure is a 451 4.3.0 rejection.
    public func resolve(_ address: String) async -> Resolution {
        let policy = policy
        let patterns = patterns
        do {
            return try read { reader throws(AliasStoreError) in
                AliasResolver(policy: policy, reader: reader, patterns: patterns).resolve(address)
            }
        } catch {
            return .rejected(Rejection(.storageUnavailable))
        }
    }

    /// Change-log entries after `cursor`.
    public func changes(after cursor: Int64, limit: Int) async throws -> [ChangeLogEntry] {
        try read { reader throws(AliasStoreError) in try reader.changes(after: cursor, limit: limit) }
    }

    /// Everything, from one read transaction.
    public func snapshot() async throws -> AliasStoreSnapshot {
        try read { reader throws(AliasStoreError) in
            AliasStoreSnapshot(
                users: try reader.users(), domains: try reader.domains(),
                aliases: try reader.aliases(where: "1", [], orderBy: "a.id"),
                changes: try reader.changes(after: 0, limit: Int.max), lastAliasID: try reader.lastAliasID())
        }
    }

    /// Loads `snapshot` into this empty store.
    public func restore(_ snapshot: AliasStoreSnapshot) async throws { try await writer.restore(snapshot) }

}
