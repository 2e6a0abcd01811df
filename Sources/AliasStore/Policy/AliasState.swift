import Foundation

/// A whole store's data in memory: the in-memory store's state, and the consistency
/// checker and resolver view for snapshots (restores and the Postfix export).
struct AliasState: AliasReading, Sendable {
    var users: [String: User] = [:]
    var domains: [String: Domain] = [:]
    var aliases: [Int64: Alias] = [:]
    /// `domain` -> `name` -> alias id.
    var aliasIndex: [String: [String: Int64]] = [:]
    /// `owner` -> the ids of their aliases.
    var ownedIDs: [String: Set<Int64>] = [:]
    var changes: [ChangeLogEntry] = []
    var lastAliasID: Int64 = 0

    init() {}

    /// Builds the state from `snapshot`, checking that it hangs together.
    /// - Throws: ``AliasStoreError/invalidSnapshot`` naming the first inconsistency.
    init(snapshot: AliasStoreSnapshot) throws(AliasStoreError) {
        func fail(_ text: String) -> AliasStoreError { AliasStoreError.invalidSnapshot.with(message: text) }
        var claimedIdentifiers: Set<String> = []
        for user in snapshot.users {
            guard users.updateValue(user, forKey: user.id) == nil else { throw fail("user \(user.id) appears twice") }
            if let claimed = user.claimedIdentifier, !claimedIdentifiers.insert(claimed).inserted {
                throw fail("user \(user.id) shares a claimed identifier with another user")
            }
        }
        for domain in snapshot.domains {
            guard (try? EmailAddress.normalizeDomain(domain.name)) == domain.name else { throw fail("domain \(domain.name) is not a normalised A-label") }
            guard domains.updateValue(domain, forKey: domain.name) == nil else { throw fail("domain \(domain.name) appears twice") }
            guard Set(domain.members.map(\.userID)).count == domain.members.count else { throw fail("a member of \(domain.name) appears twice") }
            for member in domain.members where users[member.userID] == nil {
                throw fail("domain \(domain.name) has the unknown member \(member.userID)")
            }
        }
        var lenient = AliasPolicy()
        lenient.maxPatternLength = Int.max
        for alias in snapshot.aliases {
            guard alias.id > 0, alias.id <= snapshot.lastAliasID else { throw fail("alias id \(alias.id) is out of range") }
            guard aliases[alias.id] == nil else { throw fail("alias id \(alias.id) appears twice") }
            guard domains[alias.domain] != nil else { throw fail("alias \(alias.id) is on an unknown domain") }
            guard users[alias.owner] != nil else { throw fail("alias \(alias.id) has an unknown owner") }
            guard aliasIndex[alias.domain]?[alias.name] == nil else { throw fail("alias \(alias.id) has the same domain and name as another") }
            guard (try? AliasValidation.normalizeName(alias.name, policy: lenient)) == alias.name else {
                throw fail("alias \(alias.id) does not have a normalised name")
            }
            guard !alias.recipients.isEmpty, alias.recipients.allSatisfy({ (try? EmailAddress($0))?.description == $0 }) else {
                throw fail("alias \(alias.id) has missing or unnormalised recipients")
            }
            guard alias.revision >= 1 else { throw fail("alias \(alias.id) has revision \(alias.revision)") }
            insert(alias)
        }
        var previous: Int64 = 0
        for entry in snapshot.changes {
            guard entry.sequence > previous else { throw fail("the change log is not in increasing order") }
            previous = entry.sequence
        }
        changes = snapshot.changes
        lastAliasID = snapshot.lastAliasID
    }

    /// The user holding `claimedIdentifier` (a scan: users are few next to aliases, and the
    /// in-memory store serves tests).
    func user(claimedIdentifier: String) -> User? {
        users.values.first { $0.claimedIdentifier == claimedIdentifier }
    }

    var isEmpty: Bool { users.isEmpty && domains.isEmpty && aliases.isEmpty && changes.isEmpty }

    var snapshot: AliasStoreSnapshot {
        AliasStoreSnapshot(
            users: users.values.sorted { $0.id < $1.id },
            domains: domains.values.sorted { $0.name < $1.name },
            aliases: aliases.values.sorted { $0.id < $1.id },
            changes: changes,
            lastAliasID: lastAliasID)
    }

    mutating func insert(_ alias: Alias) {
        aliases[alias.id] = alias
        aliasIndex[alias.domain, default: [:]][alias.name] = alias.id
        ownedIDs[alias.owner, default: []].insert(alias.id)
    }

    mutating func remove(_ alias: Alias) {
        aliases[alias.id] = nil
        aliasIndex[alias.domain]?[alias.name] = nil
        ownedIDs[alias.owner]?.remove(alias.id)
    }

    mutating func log(_ actor: ChangeActor, _ action: ChangeAction, _ entity: ChangeEntity, _ key: String, _ detail: String, at: Date) {
        let sequence = (changes.last?.sequence ?? 0) + 1
        changes.append(ChangeLogEntry(sequence: sequence, at: at, actor: actor, action: action, entity: entity, key: key, detail: detail))
    }

    // MARK: AliasReading

    func domainVerified(_ domain: String) -> Bool? { domains[domain]?.verified }

    func memberRole(domain: String, userID: String) -> DomainRole? { domains[domain]?.role(of: userID) }

    func user(_ id: String) -> User? { users[id] }

    func exactAlias(domain: String, name: String) -> AliasMatch? {
        guard let id = aliasIndex[domain]?[name], let alias = aliases[id] else { return nil }
        return AliasMatch(alias: alias, ownerBanned: users[alias.owner]?.banned ?? false)
    }

    func patternAliases(domain: String) -> [AliasMatch] {
        guard let names = aliasIndex[domain] else { return [] }
        return names.filter { AliasKind(name: $0.key) == .pattern }.sorted { $0.key < $1.key }.compactMap { entry in
            aliases[entry.value].map { AliasMatch(alias: $0, ownerBanned: users[$0.owner]?.banned ?? false) }
        }
    }

    func aliasCount(owner: String) -> Int { ownedIDs[owner]?.count ?? 0 }
}
