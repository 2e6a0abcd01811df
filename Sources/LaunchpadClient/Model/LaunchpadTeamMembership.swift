public import Foundation

/// One membership of a team (`team_membership` entry, from `members_details`): who,
/// in which state, since and until when.
///
/// Launchpad may redact any field but `self_link` (a private team's membership, say):
/// redacted values are ``Redactable/redacted``; the member and team names are then read
/// from `self_link` (`…/~team/+member/name`), which is never redacted.
public struct LaunchpadTeamMembership: Sendable, Hashable {
    /// The member's name, read from `member_link` (or from `self_link` when that is redacted).
    public var memberName: String
    /// The team's name, read from `team_link` (or from `self_link` when that is redacted).
    public var teamName: String
    /// The membership's state (`status`).
    public var status: Redactable<LaunchpadMembershipStatus>
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
    /// The member's entry (`member_link`); nil when redacted.
    public var memberLink: URL?
    /// The team's entry (`team_link`); nil when redacted.
    public var teamLink: URL?
    /// The entry's entity tag (`http_etag`).
    public var httpETag: String?

    /// A membership from its values.
    public init(
        memberName: String, teamName: String, status: Redactable<LaunchpadMembershipStatus>,
        dateCreated: Redactable<Date>? = nil, dateJoined: Redactable<Date>? = nil, dateExpires: Redactable<Date>? = nil,
        lastChangeComment: Redactable<String>? = nil, selfLink: URL, memberLink: URL?, teamLink: URL?,
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

    /// True when the state, visibly, makes the member part of the team and it has not
    /// expired by `now`. A redacted status or expiry date is not active: nothing is
    /// granted on a value the caller could not see.
    public func isActive(at now: Date = Date()) -> Bool {
        guard status.value?.isActive == true else { return false }
        switch dateExpires {
        case nil: return true
        case .redacted?: return false
        case .value(let expiry)?: return expiry > now
        }
    }
}

extension LaunchpadTeamMembership {
    /// Decodes a `team_membership` entry.
    /// - Throws: ``LaunchpadError/missingField`` naming the field, or
    ///   ``LaunchpadError/malformedField``.
    init(json object: LaunchpadJSONObject) throws {
        typealias J = LaunchpadJSONObject
        let selfLink = try object.requiredURL("self_link")
        let memberLink = try object.requiredRedactable("member_link", J.readURL)
        let teamLink = try object.requiredRedactable("team_link", J.readURL)
        let fromSelfLink = Self.names(inSelfLink: selfLink)
        let member: String?
        switch memberLink {
        case .value(let link): member = LaunchpadName.fromLink(link.absoluteString)
        case .redacted: member = fromSelfLink?.member
        }
        let team: String?
        switch teamLink {
        case .value(let link): team = LaunchpadName.fromLink(link.absoluteString)
        case .redacted: team = fromSelfLink?.team
        }
        guard let member else {
            throw LaunchpadError.malformedField.with(field: "member_link", message: "`member_link` does not name a person")
        }
        guard let team else {
            throw LaunchpadError.malformedField.with(field: "team_link", message: "`team_link` does not name a team")
        }
        self.init(
            memberName: member, teamName: team,
            status: try object.requiredRedactable("status", J.readString).map(LaunchpadMembershipStatus.init(rawValue:)),
            dateCreated: try object.optionalRedactable("date_created", J.readDate),
            dateJoined: try object.optionalRedactable("date_joined", J.readDate),
            dateExpires: try object.optionalRedactable("date_expires", J.readDate),
            lastChangeComment: try object.optionalRedactable("last_change_comment", J.readString),
            selfLink: selfLink, memberLink: memberLink.value, teamLink: teamLink.value,
            httpETag: try object.optionalString("http_etag"))
    }

    /// The team and member a membership's `self_link` (`…/~team/+member/name`) names.
    private static func names(inSelfLink link: URL) -> (team: String, member: String)? {
        let segments = link.path.split(separator: "/").map(String.init)
        guard segments.count >= 3, segments[segments.count - 2] == "+member",
              segments[segments.count - 3].hasPrefix("~"),
              let team = try? LaunchpadName.validated(segments[segments.count - 3]),
              let member = try? LaunchpadName.validated(segments[segments.count - 1])
        else { return nil }
        return (team, member)
    }
}
