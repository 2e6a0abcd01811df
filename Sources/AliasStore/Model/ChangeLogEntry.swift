public import Foundation

/// One recorded change: what happened to which record, who did it, and when.
public struct ChangeLogEntry: Sendable, Hashable, Codable {
    /// Position in the log, strictly increasing; pass the last one seen as the cursor to
    /// ``AliasStore/changes(after:limit:)``.
    public var sequence: Int64
    /// When the change was made.
    public var at: Date
    /// Who made it.
    public var actor: ChangeActor
    /// Created, updated or deleted.
    public var action: ChangeAction
    /// The kind of record.
    public var entity: ChangeEntity
    /// The record's key: a user id, a domain name, `user@domain` for a membership, or the
    /// alias's `name@domain`.
    public var key: String
    /// A short human summary (no tokens).
    public var detail: String

    /// An entry from its parts.
    public init(
        sequence: Int64, at: Date, actor: ChangeActor, action: ChangeAction, entity: ChangeEntity, key: String,
        detail: String
    ) {
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.action = action
        self.entity = entity
        self.key = key
        self.detail = detail
    }
}

/// What a change did.
public enum ChangeAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// The record was created.
    case create
    /// The record was changed.
    case update
    /// The record was deleted.
    case delete
}

/// The kind of record a change touched.
public enum ChangeEntity: String, Sendable, Hashable, Codable, CaseIterable {
    /// A user.
    case user
    /// A domain (plan, verification).
    case domain
    /// A domain membership.
    case member
    /// An alias.
    case alias
}
