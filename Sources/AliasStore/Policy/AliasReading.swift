/// The look-ups that validation and resolution need, answered synchronously from one
/// consistent view of a store (a read transaction, or an actor's state). Both stores
/// implement it, so both run exactly the same rules.
protocol AliasReading {
    /// nil when the store does not serve `domain`; otherwise whether it is verified.
    func domainVerified(_ domain: String) throws(AliasStoreError) -> Bool?
    /// The role `userID` holds on `domain`, if any.
    func memberRole(domain: String, userID: String) throws(AliasStoreError) -> DomainRole?
    /// The user with `id`, if any.
    func user(_ id: String) throws(AliasStoreError) -> User?
    /// The alias called exactly `name` (already lowercase) on `domain`, with its owner's ban state.
    func exactAlias(domain: String, name: String) throws(AliasStoreError) -> AliasMatch?
    /// The domain's pattern aliases, sorted by name.
    func patternAliases(domain: String) throws(AliasStoreError) -> [AliasMatch]
    /// How many aliases `owner` owns.
    func aliasCount(owner: String) throws(AliasStoreError) -> Int
}

/// An alias found while resolving: only what the rules look at, so the mail path's look-up
/// reads four columns rather than decoding a whole ``Alias``.
struct AliasMatch: Sendable {
    /// The alias's name (a pattern's name is its expression between slashes).
    var name: String
    var enabled: Bool
    var recipients: [String]
    var ownerBanned: Bool

    init(name: String, enabled: Bool, recipients: [String], ownerBanned: Bool) {
        self.name = name
        self.enabled = enabled
        self.recipients = recipients
        self.ownerBanned = ownerBanned
    }

    init(alias: Alias, ownerBanned: Bool) {
        self.init(name: alias.name, enabled: alias.enabled, recipients: alias.recipients, ownerBanned: ownerBanned)
    }
}
