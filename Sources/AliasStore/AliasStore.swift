/// The forwarding service's data: users, the domains it serves and their members, the
/// aliases on them, and the change log; and the one question the mail path asks for every
/// recipient: ``resolve(_:)``.
///
/// Every mutation takes the ``ChangeActor`` responsible, runs as one atomic change (one
/// transaction in SQLite), and appends to the change log in the same change. Every method
/// that throws throws ``AliasStoreError``. Two implementations keep the same rules:
/// ``SQLiteAliasStore`` and the in-memory ``InMemoryAliasStore`` for hosts' tests.
public protocol AliasStore: Sendable {
    /// The rules this store enforces.
    var policy: AliasPolicy { get }

    // MARK: Users

    /// Creates the user, or replaces the one with the same id (the e-mail is normalised).
    /// A nil ``User/claimedIdentifier`` keeps the stored one; a record without one gets
    /// `user`'s. Returns the user as stored.
    /// - Throws: ``AliasStoreError/duplicateClaimedIdentifier`` when another user holds
    ///   the user's ``User/claimedIdentifier``; ``AliasStoreError/claimedIdentifierBound``
    ///   when the stored user holds a different one (see ``rebindUser(id:claimedIdentifier:by:)``).
    func saveUser(_ user: User, by actor: ChangeActor) async throws -> User
    /// Sets (or, with nil, releases) the claimed identifier of user `id`: the one way to
    /// change an identifier once recorded, logged as such in the change log.
    /// - Throws: ``AliasStoreError/userNotFound``, ``AliasStoreError/duplicateClaimedIdentifier``,
    ///   ``AliasStoreError/invalidField`` for an identifier that is not an http(s) URL.
    func rebindUser(id: String, claimedIdentifier: String?, by actor: ChangeActor) async throws -> User
    /// Moves the record of user `id` to `user.id` in one atomic change: the aliases made by
    /// `provisioner` are deleted, the others change owner (names kept), domain roles move
    /// (an admin role wins over a user role), the claimed identifier and the ban go to the
    /// new record (created with `user`'s e-mail and locale, or updated), and the old record
    /// is deleted. Either all of it happens or none of it.
    /// - Throws: ``AliasStoreError/userNotFound`` when `id` has no record,
    ///   ``AliasStoreError/claimedIdentifierBound`` when `user.id`'s record belongs to
    ///   another claimed identifier, validation errors for `user`.
    func moveUser(id: String, to user: User, deletingAliasesProvisionedBy provisioner: ChangeActor?, by actor: ChangeActor) async throws -> UserMove
    /// The user with `id`, if any.
    func user(id: String) async throws -> User?
    /// The user holding the OpenID claimed identifier `claimedIdentifier`, if any.
    func user(claimedIdentifier: String) async throws -> User?
    /// Every user, by id.
    func users() async throws -> [User]
    /// Deletes a user who owns no aliases and belongs to no domain.
    /// - Throws: ``AliasStoreError/userNotFound``, ``AliasStoreError/userInUse``.
    func deleteUser(id: String, by actor: ChangeActor) async throws

    // MARK: Domains

    /// Adds a domain (Unicode names are stored as A-labels), unverified; a verification
    /// token is generated when `verificationToken` is nil.
    /// - Throws: ``AliasStoreError/invalidDomain``, ``AliasStoreError/duplicateDomain``,
    ///   ``AliasStoreError/invalidField`` for a bad token.
    func createDomain(_ name: String, plan: DomainPlan, verificationToken: String?, by actor: ChangeActor) async throws -> Domain
    /// The domain called `name` (Unicode or A-label), if served.
    func domain(named name: String) async throws -> Domain?
    /// Every domain, by name.
    func domains() async throws -> [Domain]
    /// Changes a domain's plan.
    func setPlan(_ plan: DomainPlan, forDomain name: String, by actor: ChangeActor) async throws -> Domain
    /// Records the result of a DNS verification check, stamped with the current time.
    func recordVerification(domain name: String, verified: Bool, by actor: ChangeActor) async throws -> Domain
    /// Adds `userID` to the domain with `role`, or changes their role.
    func setMember(_ userID: String, role: DomainRole, onDomain name: String, by actor: ChangeActor) async throws -> Domain
    /// Removes `userID` from the domain.
    /// - Throws: ``AliasStoreError/memberNotFound`` when they are not a member.
    func removeMember(_ userID: String, fromDomain name: String, by actor: ChangeActor) async throws -> Domain
    /// Deletes a domain that has no aliases left (its memberships go with it).
    /// - Throws: ``AliasStoreError/domainInUse`` while aliases remain.
    func deleteDomain(named name: String, by actor: ChangeActor) async throws

    // MARK: Aliases

    /// Creates an alias after checking every rule (syntax, reserved names, recipients,
    /// self-forwarding, the owner's limit, uniqueness); `actor` is recorded as its provisioner.
    func createAlias(_ alias: NewAlias, by actor: ChangeActor) async throws -> Alias
    /// Stores `alias`'s owner, recipients, enabled flag, description and labels, provided its
    /// ``Alias/revision`` is still the stored one; returns it with the next revision.
    /// - Throws: ``AliasStoreError/conflict`` when someone else updated it first,
    ///   ``AliasStoreError/immutableField`` when the name or domain differ.
    func updateAlias(_ alias: Alias, by actor: ChangeActor) async throws -> Alias
    /// Deletes an alias.
    func deleteAlias(id: Int64, by actor: ChangeActor) async throws
    /// The alias with `id`, if any.
    func alias(id: Int64) async throws -> Alias?
    /// The alias called exactly `name` (`*` for the catch-all, `/p/` for a pattern) on `domain`.
    func alias(named name: String, domain: String) async throws -> Alias?
    /// The aliases on `domain`, by name.
    func aliases(domain: String) async throws -> [Alias]
    /// The aliases `owner` owns, by id.
    func aliases(owner: String) async throws -> [Alias]

    // MARK: Resolution

    /// Where mail to `address` goes; see ``Resolution``. Never throws: a storage failure is
    /// a transient rejection (451 4.3.0), the answer the mail path needs.
    func resolve(_ address: String) async -> Resolution

    // MARK: Change log

    /// Up to `limit` change-log entries with a sequence greater than `cursor`, oldest first.
    /// Pass 0 for the beginning, then the last entry's sequence.
    func changes(after cursor: Int64, limit: Int) async throws -> [ChangeLogEntry]

    // MARK: Export and import

    /// Everything in the store, in a stable order, taken from one consistent view.
    func snapshot() async throws -> AliasStoreSnapshot
    /// Loads `snapshot` into an empty store exactly (ids, times, revisions, change log).
    /// - Throws: ``AliasStoreError/storeNotEmpty``, ``AliasStoreError/invalidSnapshot``.
    func restore(_ snapshot: AliasStoreSnapshot) async throws
}

extension AliasStore {
    /// Enables or disables an alias, re-reading and retrying when a concurrent update wins.
    @discardableResult
    public func setAliasEnabled(id: Int64, _ enabled: Bool, by actor: ChangeActor) async throws -> Alias {
        try await modifyAlias(id: id, by: actor) { $0.enabled = enabled }
    }

    /// Reads the alias, applies `change`, and stores it; on ``AliasStoreError/conflict``
    /// reads it again and re-applies `change`, up to `attempts` times.
    @discardableResult
    public func modifyAlias(
        id: Int64, attempts: Int = 8, by actor: ChangeActor, _ change: @Sendable (inout Alias) -> Void
    ) async throws -> Alias {
        var lastError = AliasStoreError.conflict
        for _ in 0..<max(1, attempts) {
            guard var alias = try await alias(id: id) else {
                throw AliasStoreError.aliasNotFound.with(message: "no alias has id \(id)")
            }
            change(&alias)
            do {
                return try await updateAlias(alias, by: actor)
            } catch let error as AliasStoreError where error == .conflict {
                lastError = error
            }
        }
        throw lastError
    }

    /// The Postfix `virtual_alias_domains` and `virtual_alias_maps` texts for the store.
    public func postfixExport() async throws -> PostfixExport {
        try PostfixExport(snapshot: try await snapshot(), policy: policy)
    }
}
