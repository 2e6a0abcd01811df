import AliasStore
import CommunityMailSystem
import Foundation
import LaunchpadClient
import Synchronization

/// Forwards to another store and records, per domain, the most mutations ever in flight at
/// once (the sync promises one), slowing each a little so that overlaps would show.
final class ObservedAliasStore: AliasStore {
    private let base: any AliasStore
    private let inFlight = Mutex<[String: Int]>([:])
    private let peak = Mutex<[String: Int]>([:])

    private let listedUsers: [User]?

    /// - Parameter listedUsers: what ``users()`` answers instead of the base store's: a list
    ///   read before a concurrent change, as a run in flight holds it.
    init(_ base: any AliasStore, listedUsers: [User]? = nil) {
        self.base = base
        self.listedUsers = listedUsers
    }

    var policy: AliasPolicy { base.policy }
    /// The highest number of concurrent mutations seen on any one domain.
    var maximumConcurrentMutationsPerDomain: Int { peak.withLock { $0.values.max() ?? 0 } }

    private func mutating<T>(_ domain: String, _ body: () async throws -> T) async throws -> T {
        inFlight.withLock { counts in
            counts[domain, default: 0] += 1
            let now = counts[domain]!
            peak.withLock { $0[domain] = max($0[domain] ?? 0, now) }
        }
        defer { inFlight.withLock { $0[domain, default: 1] -= 1 } }
        try await Task.sleep(for: .milliseconds(1))
        return try await body()
    }

    func saveUser(_ user: User, by actor: ChangeActor) async throws -> User { try await base.saveUser(user, by: actor) }
    func rebindUser(id: String, claimedIdentifier: String?, by actor: ChangeActor) async throws -> User {
        try await base.rebindUser(id: id, claimedIdentifier: claimedIdentifier, by: actor)
    }
    func moveUser(id: String, to user: User, deletingAliasesProvisionedBy provisioner: ChangeActor?, by actor: ChangeActor) async throws -> UserMove {
        try await base.moveUser(id: id, to: user, deletingAliasesProvisionedBy: provisioner, by: actor)
    }
    func user(id: String) async throws -> User? { try await base.user(id: id) }
    func user(claimedIdentifier: String) async throws -> User? { try await base.user(claimedIdentifier: claimedIdentifier) }
    func users() async throws -> [User] {
        if let listedUsers { return listedUsers }
        return try await base.users()
    }
    func deleteUser(id: String, by actor: ChangeActor) async throws { try await base.deleteUser(id: id, by: actor) }
    func createDomain(_ name: String, plan: DomainPlan, verificationToken: String?, by actor: ChangeActor) async throws -> Domain {
        try await base.createDomain(name, plan: plan, verificationToken: verificationToken, by: actor)
    }
    func domain(named name: String) async throws -> Domain? { try await base.domain(named: name) }
    func domains() async throws -> [Domain] { try await base.domains() }
    func setPlan(_ plan: DomainPlan, forDomain name: String, by actor: ChangeActor) async throws -> Domain {
        try await base.setPlan(plan, forDomain: name, by: actor)
    }
    func recordVerification(domain name: String, verified: Bool, by actor: ChangeActor) async throws -> Domain {
        try await base.recordVerification(domain: name, verified: verified, by: actor)
    }
    func setMember(_ userID: String, role: DomainRole, onDomain name: String, by actor: ChangeActor) async throws -> Domain {
        try await mutating(name) { try await base.setMember(userID, role: role, onDomain: name, by: actor) }
    }
    func removeMember(_ userID: String, fromDomain name: String, by actor: ChangeActor) async throws -> Domain {
        try await mutating(name) { try await base.removeMember(userID, fromDomain: name, by: actor) }
    }
    func deleteDomain(named name: String, by actor: ChangeActor) async throws { try await base.deleteDomain(named: name, by: actor) }
    func createAlias(_ alias: NewAlias, by actor: ChangeActor) async throws -> Alias {
        try await mutating(alias.domain) { try await base.createAlias(alias, by: actor) }
    }
    func updateAlias(_ alias: Alias, by actor: ChangeActor) async throws -> Alias {
        try await mutating(alias.domain) { try await base.updateAlias(alias, by: actor) }
    }
    func deleteAlias(id: Int64, by actor: ChangeActor) async throws {
        let domain = try await base.alias(id: id)?.domain ?? ""
        try await mutating(domain) { try await base.deleteAlias(id: id, by: actor) }
    }
    func alias(id: Int64) async throws -> Alias? { try await base.alias(id: id) }
    func alias(named name: String, domain: String) async throws -> Alias? { try await base.alias(named: name, domain: domain) }
    func aliases(domain: String) async throws -> [Alias] { try await base.aliases(domain: domain) }
    func aliases(owner: String) async throws -> [Alias] { try await base.aliases(owner: owner) }
    func resolve(_ address: String) async -> Resolution { await base.resolve(address) }
    func changes(after cursor: Int64, limit: Int) async throws -> [ChangeLogEntry] { try await base.changes(after: cursor, limit: limit) }
    func snapshot() async throws -> AliasStoreSnapshot { try await base.snapshot() }
    func restore(_ snapshot: AliasStoreSnapshot) async throws { try await base.restore(snapshot) }
}

/// Forwards to a Launchpad fake, failing `person(named:)` as scripted.
final class FlakyLaunchpad: LaunchpadAPI {
    let base: any LaunchpadAPI
    /// Transient failures left before lookups succeed.
    let transientFailures: Mutex<Int>
    /// Names whose lookup always fails with a non-transient error.
    let broken: Set<String>
    /// What the first `transientFailures` lookups throw.
    let failure: any Error

    init(
        base: any LaunchpadAPI, transientFailures: Int = 0, broken: Set<String> = [],
        failure: any Error = LaunchpadError.transport.with(message: "scripted: Launchpad did not answer")
    ) {
        self.base = base
        self.transientFailures = Mutex(transientFailures)
        self.broken = broken
        self.failure = failure
    }

    func person(named name: String) async throws -> LaunchpadPerson {
        let fail = transientFailures.withLock { left -> Bool in
            guard left > 0 else { return false }
            left -= 1
            return true
        }
        if fail { throw failure }
        if broken.contains(name) { throw LaunchpadError.malformedJSON.with(message: "scripted: a malformed entry for \(name)") }
        return try await base.person(named: name)
    }
    func members(of team: String) -> LaunchpadCollection<LaunchpadPerson> { base.members(of: team) }
    func participants(of team: String) -> LaunchpadCollection<LaunchpadPerson> { base.participants(of: team) }
    func membershipDetails(of team: String) -> LaunchpadCollection<LaunchpadTeamMembership> { base.membershipDetails(of: team) }
}
