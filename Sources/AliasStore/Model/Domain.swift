public import Foundation
internal import CommunityMailIDNA

/// A domain the service forwards mail for.
public struct Domain: Sendable, Hashable, Codable {
    /// The name as an IDNA A-label, lowercase, without a trailing dot (`xn--bcher-kva.example`).
    public var name: String
    /// The service plan; the member sync provisions only on `.team` domains.
    public var plan: DomainPlan
    /// The value the owner publishes in a TXT record to prove control of the domain.
    public var verificationToken: String
    /// Whether the last DNS check found the token. Unverified domains reject mail (550 5.7.1).
    public var verified: Bool
    /// When the TXT record was last checked, if ever.
    public var lastCheckedAt: Date?
    /// Who administers the domain, sorted by user id.
    public var members: [DomainMember]
    /// When the domain was added.
    public var createdAt: Date
    /// When the domain last changed (plan, verification or members).
    public var updatedAt: Date

    /// A domain from its parts.
    public init(
        name: String, plan: DomainPlan, verificationToken: String, verified: Bool, lastCheckedAt: Date?,
        members: [DomainMember], createdAt: Date, updatedAt: Date
    ) {
        self.name = name
        self.plan = plan
        self.verificationToken = verificationToken
        self.verified = verified
        self.lastCheckedAt = lastCheckedAt
        self.members = members
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The name in Unicode, for display.
    public var displayName: String { DomainName.toUnicode(name) }

    /// The role `userID` holds on the domain, if any.
    public func role(of userID: String) -> DomainRole? { members.first { $0.userID == userID }?.role }
}

/// The service plan of a domain.
public enum DomainPlan: String, Sendable, Hashable, Codable, CaseIterable {
    /// Forwarding only, for one person's domain.
    case free
    /// Forwarding with the extra features (regular-expression aliases, exports).
    case enhanced
    /// A community's domain, provisioned from its membership.
    case team
}

/// A user's role on a domain.
public enum DomainRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// May manage every alias, including reserved names, catch-alls and patterns.
    case admin
    /// May manage ordinary aliases.
    case user
}

/// A user's membership of a domain.
public struct DomainMember: Sendable, Hashable, Codable {
    /// The member's user id.
    public var userID: String
    /// The member's role.
    public var role: DomainRole

    /// A membership from its parts.
    public init(userID: String, role: DomainRole) {
        self.userID = userID
        self.role = role
    }
}
