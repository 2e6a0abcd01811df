import Foundation

/// One membership of a team (`team_membership` entry, from `members_details`): who,
/// in which state, since and until when.
public struct LaunchpadTeamMembership: Sendable, Hashable {
    /// The member's name, read from `member_link`.
    public var memberName: String
    /// The team's name, read from `team_link`.
    public var teamName: String
    /// The membership's state (`status`).
    public var status: LaunchpadMembershipStatus
    /// When the membership was made (`date_created`).
    public var dateCreated: Redactable<Date>?
    /// When the member joined (`date_joined`).
    public var dateJoined: Redactable<Date>?
    /// When the membership ends, if it does (`date_expires`).
    public var dateExpires: Redactable<Date>?
    /// The note left by whoever changed it last (`last_change_comment`).
    public var lastChangeComment: Redactable<String>?
    /// The entry (`self_link`).
    public var selfLink: URL
    /// The member's entry (`member_link`).
    public var memberLink: URL
    /// The team's entry (`team_link`).
    public var teamLink: URL
    /// The entry's entity tag (`http_etag`).
    public var httpETag: String?

    /// A membership from its values.
    public init(
        memberName: String, teamName: String, status: LaunchpadMembershipStatus, dateCreated: Redactable<Date>? = nil,
        dateJoined: Redactable<Date>? = nil, dateExpires: Redactable<Date>? = nil,
        lastChangeComment: Redactable<String>? = nil, selfLink: URL, memberLink: URL, teamLink: URL,
        httpETag: String? = nil
    ) {
        self.memberName = memberName
        self.teamName = teamName
        self.status = status
        self.dateCreated = dateCreated
        self.dateJoined = dateJoined
        self.dateExpires = dateExpires
        self.lastChangeComment = lastChangeComment
        self.selfLink = selfLink
        self.memberLink = memberLink
        self.teamLink = teamLink
        self.httpETag = httpETag
    }

    /// True when the state makes the member part of the team and it has not expired by `now`.
    public func isActive(at now: Date = Date()) -> Bool {
        guard status.isActive else { return false }
        if case .value(let expiry)? = dateExpires, expiry <= now { return false }
        return true
    }
}

extension LaunchpadTeamMembership {
    /// Decodes a `team_membership` entry.
    /// - Throws: ``LaunchpadError/missingField`` naming the field, or
    ///   ``LaunchpadError/malformedField``.
    init(json object: LaunchpadJSONObject) throws {
        typealias J = LaunchpadJSONObject
        let memberLink = try object.requiredURL("member_link")
        let teamLink = try object.requiredURL("team_link")
        guard let member = LaunchpadName.fromLink(memberLink.absoluteString) else {
            throw LaunchpadError.malformedField.with(field: "member_link", message: "`member_link` does not name a person")
        }
        guard let team = LaunchpadName.fromLink(teamLink.absoluteString) else {
            throw LaunchpadError.malformedField.with(field: "team_link", message: "`team_link` does not name a team")
        }
        self.init(
            memberName: member, teamName: team,
            status: LaunchpadMembershipStatus(rawValue: try object.requiredString("status")),
            dateCreated: try object.optionalRedactable("date_created", J.readDate),
            dateJoined: try object.optionalRedactable("date_joined", J.readDate),
            dateExpires: try object.optionalRedactable("date_expires", J.readDate),
            lastChangeComment: try object.optionalRedactable("last_change_comment", J.readString),
            selfLink: try object.requiredURL("self_link"), memberLink: memberLink, teamLink: teamLink,
            httpETag: try object.optionalString("http_etag"))
    }
}
