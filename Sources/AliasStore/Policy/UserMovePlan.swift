import Foundation

/// The changes of a user move, worked out once from what the store holds, so that both
/// stores apply exactly the same ones inside their single change.
struct UserMovePlan {
    /// One domain role of the old id and what the new id gets there.
    struct Membership {
        var domain: String
        /// The new id's role after the move; nil when it keeps the one it has.
        var newRole: DomainRole?
        /// Whether the new id was a member before.
        var wasMember: Bool
    }

    var oldID: String
    var user: User
    var targetExisted: Bool
    var deleted: [Alias]
    var moved: [Alias]
    var memberships: [Membership]

    /// - Parameters:
    ///   - old: the stored record being moved.
    ///   - target: the new id with the e-mail and locale to store.
    ///   - existing: the record already stored under the new id, if any.
    ///   - owned: the old id's aliases.
    ///   - roles: per domain, the old id's role and the new id's (if any).
    /// - Throws: ``AliasStoreError/invalidField`` for a move onto itself,
    ///   ``AliasStoreError/claimedIdentifierBound`` when the new id's record belongs to
    ///   another claimed identifier.
    init(
        old: User, target: User, existing: User?, owned: [Alias], roles: [(domain: String, old: DomainRole, target: DomainRole?)],
        deletingProvisionedBy provisioner: ChangeActor?, at time: Date
    ) throws(AliasStoreError) {
        guard old.id != target.id else { throw AliasStoreError.invalidField.with(message: "a user cannot be moved onto itself") }
        if let held = existing?.claimedIdentifier, held != old.claimedIdentifier {
            throw AliasStoreError.claimedIdentifierBound.with(message: "the user \(target.id) belongs to another claimed identifier")
        }
        oldID = old.id
        user = User(
            id: target.id, email: target.email, locale: target.locale, banned: old.banned || (existing?.banned ?? false),
            claimedIdentifier: old.claimedIdentifier ?? existing?.claimedIdentifier)
        targetExisted = existing != nil
        deleted = owned.filter { provisioner != nil && $0.provisionedBy == provisioner }
        moved = owned.filter { provisioner == nil || $0.provisionedBy != provisioner }.map { alias in
            var moved = alias
            moved.owner = target.id
            moved.updatedAt = time
            moved.revision += 1
            return moved
        }
        memberships = roles.map { entry in
            let wanted: DomainRole = entry.old == .admin || entry.target == .admin ? .admin : .user
            return Membership(domain: entry.domain, newRole: wanted == entry.target ? nil : wanted, wasMember: entry.target != nil)
        }
    }

    /// The change-log detail of the new id's user entry.
    var userDetail: String { "moved from \(oldID)\(user.banned ? ", banned" : "")" }
}
