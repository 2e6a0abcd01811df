/// What ``AliasStore/moveUser(id:to:deletingAliasesProvisionedBy:by:)`` did, in one change.
public struct UserMove: Sendable, Hashable {
    /// The record under the new id, as stored: it carries the old record's claimed
    /// identifier, and its ban when either record was banned.
    public var user: User
    /// The old id's aliases that were deleted (those made by the given provisioner).
    public var deletedAliases: [Alias]
    /// The old id's other aliases, now owned by the new id (names unchanged).
    public var movedAliases: [Alias]

    /// A move result from its parts.
    public init(user: User, deletedAliases: [Alias], movedAliases: [Alias]) {
        self.user = user
        self.deletedAliases = deletedAliases
        self.movedAliases = movedAliases
    }
}
