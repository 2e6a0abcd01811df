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

/// An alias found while resolving, with what resolution needs to know about its owner.
struct AliasMatch: Sendable {
    var alias: Alias
    var ownerBanned: Bool
}
