public import Foundation

/// What a run over all users did.
public struct SyncRunReport: Sendable, Hashable {
    /// When the members map of the run was built.
    public var mapBuiltAt: Date
    /// How many attempts the run took (transient failures abort and retry it).
    public var attempts: Int
    /// Each user's report, by user id.
    public var users: [String: UserSyncReport]
    /// Users whose sync failed, with the error's message; the run went on without them.
    public var errors: [String: String]

    /// A report from its parts.
    public init(mapBuiltAt: Date, attempts: Int, users: [String: UserSyncReport], errors: [String: String]) {
        self.mapBuiltAt = mapBuiltAt
        self.attempts = attempts
        self.users = users
        self.errors = errors
    }

    /// Addresses created in the run.
    public var createdCount: Int { users.values.reduce(0) { $0 + $1.created.count } }
    /// Addresses removed or disabled in the run.
    public var removedCount: Int { users.values.reduce(0) { $0 + $1.removed.count } }
    /// Users the run left as they were.
    public var unchangedCount: Int { users.values.filter { $0.refusal == nil && $0.changedNothing }.count }
    /// Users refused (banned, invalid account, Code of Conduct not signed).
    public var refusedCount: Int { users.values.filter { $0.refusal != nil }.count }

    /// One line for logs: `created 3, removed 1, unchanged 40, refused 2, errors 0`.
    public var summary: String {
        "users \(users.count + errors.count), created \(createdCount), removed \(removedCount), "
            + "unchanged \(unchangedCount), refused \(refusedCount), errors \(errors.count)"
    }
}
