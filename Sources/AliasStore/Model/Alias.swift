public import Foundation

/// One forwarding rule: mail to `name@domain` goes to `recipients`.
public struct Alias: Sendable, Hashable, Codable {
    /// The store's id for the alias; never reused.
    public var id: Int64
    /// The local part, lowercase (`alice`); `*` for the domain's catch-all; `/pattern/` for a
    /// regular-expression alias (see ``AliasPattern``).
    public var name: String
    /// The domain's A-label.
    public var domain: String
    /// The user id of the owner.
    public var owner: String
    /// Where mail goes, in order, as normalised addresses (local part as written, domain as
    /// a lowercase A-label). Addresses on the store's own domains are resolved further.
    public var recipients: [String]
    /// A disabled alias rejects mail (550 5.2.1) instead of forwarding it.
    public var enabled: Bool
    /// Free text for the owner and admins.
    public var description: String
    /// Free-form tags for searching and grouping.
    public var labels: [String]
    /// When the alias was created.
    public var createdAt: Date
    /// When the alias last changed.
    public var updatedAt: Date
    /// Who created it: a person, or a sync (the membership provisioner).
    public var provisionedBy: ChangeActor
    /// Goes up by one with every update; updates name the revision they started from, so
    /// two writers cannot silently overwrite each other (``AliasStoreError/conflict``).
    public var revision: Int64

    /// An alias from its parts.
    public init(
        id: Int64, name: String, domain: String, owner: String, recipients: [String], enabled: Bool,
        description: String, labels: [String], createdAt: Date, updatedAt: Date, provisionedBy: ChangeActor,
        revision: Int64
    ) {
        self.id = id
        self.name = name
        self.domain = domain
        self.owner = owner
        self.recipients = recipients
        self.enabled = enabled
        self.description = description
        self.labels = labels
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.provisionedBy = provisionedBy
        self.revision = revision
    }

    /// What kind of name the alias has.
    public var kind: AliasKind { AliasKind(name: name) }

    /// `name@domain`, the key the change log and exports use.
    public var address: String { "\(name)@\(domain)" }
}

/// The three kinds of alias name.
public enum AliasKind: Int, Sendable, Hashable, Codable {
    /// An ordinary local part, matched exactly (case-insensitively).
    case exact = 0
    /// `*`: every local part of the domain that no other alias takes.
    case catchAll = 1
    /// `/pattern/`: local parts the pattern matches (see ``AliasPattern``).
    case pattern = 2

    /// The kind of `name`.
    public init(name: String) {
        if name == "*" {
            self = .catchAll
        } else if name.count >= 2, name.hasPrefix("/"), name.hasSuffix("/") {
            self = .pattern
        } else {
            self = .exact
        }
    }
}

/// What a new alias should be; the store assigns id, times and revision.
public struct NewAlias: Sendable, Hashable, Codable {
    /// The local part, `*`, or `/pattern/`. Stored lowercase (patterns as written).
    public var name: String
    /// The domain, in Unicode or as an A-label.
    public var domain: String
    /// The owner's user id.
    public var owner: String
    /// Where mail goes.
    public var recipients: [String]
    /// Whether the alias forwards. Default: true.
    public var enabled: Bool
    /// Free text. Default: empty.
    public var description: String
    /// Tags. Default: none.
    public var labels: [String]

    /// A new alias from its parts.
    public init(
        name: String, domain: String, owner: String, recipients: [String], enabled: Bool = true,
        description: String = "", labels: [String] = []
    ) {
        self.name = name
        self.domain = domain
        self.owner = owner
        self.recipients = recipients
        self.enabled = enabled
        self.description = description
        self.labels = labels
    }
}
