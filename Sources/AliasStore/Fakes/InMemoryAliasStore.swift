public import CommunityMailSystem
import Foundation

/// An ``AliasStore`` in memory, with exactly the rules of ``SQLiteAliasStore`` (the same
/// validation and resolution code runs over its state), for hosts' tests.
public actor InMemoryAliasStore: AliasStore {
    /// How the store behaves.
    public struct Configuration: Sendable {
        /// The rules. Default: ``AliasPolicy/init()``.
        public var policy = AliasPolicy()
        /// Where times come from. Default: the system clock.
        public var clock: any ServiceClock = SystemClock()

        /// The defaults above.
        public init() {}
    }

    /// The rules this store enforces.
    public nonisolated let policy: AliasPolicy
    private let clock: any ServiceClock
    private var state = AliasState()
    private let patterns = AliasPatternCache()

    /// An empty store.
    public init(configuration: Configuration = Configuration()) {
        self.policy = configuration.policy
        self.clock = configuration.clock
    }

    private func now() -> Date { clock.now().truncatedToMilliseconds }

    // MARK: Users

    /// Creates or replaces a user; a nil claimed identifier keeps the stored one.
    public func saveUser(_ user: User, by actor: ChangeActor) throws -> User {
        var user = try AliasValidation.prepareUser(user)
        let stored = state.users[user.id]
        user.claimedIdentifier = try AliasValidation.claimedIdentifier(saving: user, over: stored)
        if let claimed = user.claimedIdentifier, let holder = state.user(claimedIdentifier: claimed), holder.id != user.id {
            throw AliasStoreError.duplicateClaimedIdentifier.with(message: "the claimed identifier of \(user.id) belongs to \(holder.id)")
        }
        state.users[user.id] = user
        state.log(actor, stored != nil ? .update : .create, .user, user.id, AliasValidation.userDetail(user, over: stored), at: now())
        return user
    }

    /// Sets or releases a user's claimed identifier.
    public func rebindUser(id: String, claimedIdentifier: String?, by actor: ChangeActor) throws -> User {
        guard var user = state.users[id] else { throw AliasStoreError.userNotFound.with(message: "no user has id \(id)") }
        if let claimedIdentifier {
            try AliasValidation.claimedIdentifier(claimedIdentifier)
            if let holder = state.user(claimedIdentifier: claimedIdentifier), holder.id != id {
                throw AliasStoreError.duplicateClaimedIdentifier.with(message: "the claimed identifier of \(id) belongs to \(holder.id)")
            }
        }
        let previous = user
        user.claimedIdentifier = claimedIdentifier
        state.users[id] = user
        state.log(actor, .update, .user, id, AliasValidation.userDetail(user, over: previous), at: now())
        return user
    }

    /// Moves a user's record to another id in one critical section (the actor's).
    public func moveUser(id: String, to user: User, deletingAliasesProvisionedBy provisioner: ChangeActor?, by actor: ChangeActor) throws -> UserMove {
        let target = try AliasValidation.prepareUser(user)
        guard let old = state.users[id] else { throw AliasStoreError.userNotFound.with(message: "no user has id \(id)") }
        let roles = state.domains.values.sorted { $0.name < $1.name }.compactMap { domain in
            domain.role(of: id).map { (domain: domain.name, old: $0, target: domain.role(of: target.id)) }
        }
        let time = now()
        let plan = try UserMovePlan(
            old: old, target: target, existing: state.users[target.id], owned: aliases(owner: id), roles: roles,
            deletingProvisionedBy: provisioner, at: time)
        // Everything below only writes: nothing can fail half-way.
        state.users[plan.user.id] = plan.user
        state.log(actor, plan.targetExisted ? .update : .create, .user, plan.user.id, plan.userDetail, at: time)
        for alias in plan.deleted {
            state.remove(alias)
            state.log(actor, .delete, .alias, alias.address, "", at: time)
        }
        for alias in plan.moved {
            if let stored = state.aliases[alias.id] { state.remove(stored) }
            state.insert(alias)
            state.log(actor, .update, .alias, alias.address, AliasChangeDetail.describe(alias), at: time)
        }
        for membership in plan.memberships {
            guard var domain = state.domains[membership.domain] else { continue }
            if let role = membership.newRole {
                domain.members.removeAll { $0.userID == plan.user.id }
                domain.members.append(DomainMember(userID: plan.user.id, role: role))
                state.log(actor, membership.wasMember ? .update : .create, .member, "\(plan.user.id)@\(domain.name)", role.rawValue, at: time)
            }
            domain.members.removeAll { $0.userID == id }
            domain.members.sort { $0.userID < $1.userID }
            domain.updatedAt = time
            state.domains[domain.name] = domain
            state.log(actor, .delete, .member, "\(id)@\(domain.name)", "", at: time)
        }
        state.users[id] = nil
        state.log(actor, .delete, .user, id, "moved to \(plan.user.id)", at: time)
        return UserMove(user: plan.user, deletedAliases: plan.deleted, movedAliases: plan.moved)
    }

    /// The user with `id`.
    public func user(id: String) -> User? { state.users[id] }

    /// The user holding `claimedIdentifier`.
    public func user(claimedIdentifier: String) -> User? { state.user(claimedIdentifier: claimedIdentifier) }

    /// Every user.
    public func users() -> [User] { state.users.values.sorted { $0.id < $1.id } }

    /// Deletes a user who owns nothing.
    public func deleteUser(id: String, by actor: ChangeActor) throws {
        guard state.users[id] != nil else { throw AliasStoreError.userNotFound.with(message: "no user has id \(id)") }
        guard state.aliasCount(owner: id) == 0, !state.domains.values.contains(where: { $0.role(of: id) != nil }) else {
            throw AliasStoreError.userInUse.with(message: "\(id) still owns aliases or belongs to a domain")
        }
        state.users[id] = nil
        state.log(actor, .delete, .user, id, "", at: now())
    }

    // MARK: Domains

    /// Adds a domain.
    public func createDomain(_ name: String, plan: DomainPlan, verificationToken: String?, by actor: ChangeActor) throws -> Domain {
        let ascii = try EmailAddress.normalizeDomain(name)
        let token = try AliasValidation.verificationToken(verificationToken)
        guard state.domains[ascii] == nil else { throw AliasStoreError.duplicateDomain.with(message: "\(ascii) already exists") }
        let time = now()
        let domain = Domain(
            name: ascii, plan: plan, verificationToken: token, verified: false, lastCheckedAt: nil, members: [],
            createdAt: time, updatedAt: time)
        state.domains[ascii] = domain
        state.log(actor, .create, .domain, ascii, "plan \(plan.rawValue)", at: time)
        return domain
    }

    /// The domain called `name`.
    public func domain(named name: String) -> Domain? {
        guard let ascii = try? EmailAddress.normalizeDomain(name) else { return nil }
        return state.domains[ascii]
    }

    /// Every domain.
    public func domains() -> [Domain] { state.domains.values.sorted { $0.name < $1.name } }

    private func existingDomain(_ name: String) throws(AliasStoreError) -> Domain {
        let ascii = try EmailAddress.normalizeDomain(name)
        guard let domain = state.domains[ascii] else { throw AliasStoreError.domainNotFound.with(message: "the store does not serve \(ascii)") }
        return domain
    }

    /// Changes a domain's plan.
    public func setPlan(_ plan: DomainPlan, forDomain name: String, by actor: ChangeActor) throws -> Domain {
        var domain = try existingDomain(name)
        domain.plan = plan
        domain.updatedAt = now()
        state.domains[domain.name] = domain
        state.log(actor, .update, .domain, domain.name, "plan \(plan.rawValue)", at: domain.updatedAt)
        return domain
    }

    /// Records a verification check.
    public func recordVerification(domain name: String, verified: Bool, by actor: ChangeActor) throws -> Domain {
        var domain = try existingDomain(name)
        let time = now()
        domain.verified = verified
        domain.lastCheckedAt = time
        domain.updatedAt = time
        state.domains[domain.name] = domain
        state.log(actor, .update, .domain, domain.name, verified ? "verified" : "not verified", at: time)
        return domain
    }

    /// Adds a member or changes their role.
    public func setMember(_ userID: String, role: DomainRole, onDomain name: String, by actor: ChangeActor) throws -> Domain {
        var domain = try existingDomain(name)
        guard state.users[userID] != nil else { throw AliasStoreError.userNotFound.with(message: "no user has id \(userID)") }
        let time = now()
        let existed = domain.members.contains { $0.userID == userID }
        domain.members.removeAll { $0.userID == userID }
        domain.members.append(DomainMember(userID: userID, role: role))
        domain.members.sort { $0.userID < $1.userID }
        domain.updatedAt = time
        state.domains[domain.name] = domain
        state.log(actor, existed ? .update : .create, .member, "\(userID)@\(domain.name)", role.rawValue, at: time)
        return domain
    }

    /// Removes a member.
    public func removeMember(_ userID: String, fromDomain name: String, by actor: ChangeActor) throws -> Domain {
        var domain = try existingDomain(name)
        guard domain.members.contains(where: { $0.userID == userID }) else {
            throw AliasStoreError.memberNotFound.with(message: "\(userID) is not a member of \(domain.name)")
        }
        let time = now()
        domain.members.removeAll { $0.userID == userID }
        domain.updatedAt = time
        state.domains[domain.name] = domain
        state.log(actor, .delete, .member, "\(userID)@\(domain.name)", "", at: time)
        return domain
    }

    /// Deletes a domain without aliases.
    public func deleteDomain(named name: String, by actor: ChangeActor) throws {
        let domain = try existingDomain(name)
        guard state.aliasIndex[domain.name]?.isEmpty ?? true else {
            throw AliasStoreError.domainInUse.with(message: "\(domain.name) still has aliases")
        }
        state.domains[domain.name] = nil
        state.aliasIndex[domain.name] = nil
        state.log(actor, .delete, .domain, domain.name, "", at: now())
    }

    // MARK: Aliases

    /// Creates an alias.
    public func createAlias(_ new: NewAlias, by actor: ChangeActor) throws -> Alias {
        let prepared = try AliasValidation.prepare(new, actor: actor, policy: policy, reader: state)
        guard state.aliasIndex[prepared.domain]?[prepared.name] == nil else {
            throw AliasStoreError.duplicateAlias.with(message: "the domain already has an alias with this name")
        }
        let time = now()
        state.lastAliasID += 1
        let alias = Alias(
            id: state.lastAliasID, name: prepared.name, domain: prepared.domain, owner: prepared.owner,
            recipients: prepared.recipients, enabled: prepared.enabled, description: prepared.description,
            labels: prepared.labels, createdAt: time, updatedAt: time, provisionedBy: actor, revision: 1)
        state.insert(alias)
        state.log(actor, .create, .alias, alias.address, AliasChangeDetail.describe(alias), at: time)
        return alias
    }

    /// Updates an alias at its current revision.
    public func updateAlias(_ alias: Alias, by actor: ChangeActor) throws -> Alias {
        guard let stored = state.aliases[alias.id] else { throw AliasStoreError.aliasNotFound.with(message: "no alias has id \(alias.id)") }
        let prepared = try AliasValidation.prepareUpdate(alias, stored: stored, actor: actor, policy: policy, reader: state)
        let updated = prepared.updating(stored, at: now())
        state.remove(stored)
        state.insert(updated)
        state.log(actor, .update, .alias, updated.address, AliasChangeDetail.describe(updated), at: updated.updatedAt)
        return updated
    }

    /// Deletes an alias.
    public func deleteAlias(id: Int64, by actor: ChangeActor) throws {
        guard let stored = state.aliases[id] else { throw AliasStoreError.aliasNotFound.with(message: "no alias has id \(id)") }
        state.remove(stored)
        state.log(actor, .delete, .alias, stored.address, "", at: now())
    }

    /// The alias with `id`.
    public func alias(id: Int64) -> Alias? { state.aliases[id] }

    /// The alias called `name` on `domain`.
    public func alias(named name: String, domain: String) -> Alias? {
        guard let ascii = try? EmailAddress.normalizeDomain(domain) else { return nil }
        let key = AliasKind(name: name) == .exact ? name.lowercased() : name
        return state.aliasIndex[ascii]?[key].flatMap { state.aliases[$0] }
    }

    /// The aliases on `domain`.
    public func aliases(domain: String) -> [Alias] {
        guard let ascii = try? EmailAddress.normalizeDomain(domain), let names = state.aliasIndex[ascii] else { return [] }
        return names.compactMap { state.aliases[$0.value] }.sorted { $0.name < $1.name }
    }

    /// The aliases `owner` owns.
    public func aliases(owner: String) -> [Alias] {
        (state.ownedIDs[owner] ?? []).sorted().compactMap { state.aliases[$0] }
    }

    // MARK: Resolution, log, snapshots

    /// Resolves `address`.
    public func resolve(_ address: String) -> Resolution {
        AliasResolver(policy: policy, reader: state, patterns: patterns).resolve(address)
    }

    /// Change-log entries after `cursor`.
    public func changes(after cursor: Int64, limit: Int) -> [ChangeLogEntry] {
        let start = state.changes.partitionPoint { $0.sequence <= cursor }
        return Array(state.changes[start...].prefix(max(0, limit)))
    }

    /// Everything.
    public func snapshot() -> AliasStoreSnapshot { state.snapshot }

    /// Loads `snapshot` into this empty store.
    public func restore(_ snapshot: AliasStoreSnapshot) throws {
        guard state.isEmpty else { throw AliasStoreError.storeNotEmpty.with(message: "restore needs an empty store") }
        state = try AliasState(snapshot: snapshot)
    }
}

extension Array {
    /// The index of the first element for which `belongsAfter` is false, assuming every
    /// element for which it is true comes first (binary search).
    func partitionPoint(_ belongsBefore: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongsBefore(self[middle]) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// The change log's one-line summaries of aliases (recipients are counted, not listed,
/// so the log carries no more personal data than it needs).
enum AliasChangeDetail {
    static func describe(_ alias: Alias) -> String {
        "\(alias.enabled ? "enabled" : "disabled"), \(alias.recipients.count) recipient(s), owner \(alias.owner), revision \(alias.revision)"
    }
}
