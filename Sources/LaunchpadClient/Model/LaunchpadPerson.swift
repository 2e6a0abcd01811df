public import Foundation

/// A Launchpad person or team entry (`GET /1.0/~name`, or one entry of a member list).
///
/// Launchpad serves people and teams with the same fields; ``isTeam`` tells them apart.
/// Launchpad may redact every field but `name` and `self_link` (all of a private team's,
/// for an anonymous caller): such fields are ``Redactable/redacted``, so one hidden entry
/// never fails a listing. Fields a version of the service does not send are nil, as are
/// redacted links.
public struct LaunchpadPerson: Sendable, Hashable, Identifiable {
    /// The links an entry carries.
    public struct Links: Sendable, Hashable {
        /// The entry itself (`self_link`).
        public var selfLink: URL
        /// The entry's type description (`resource_type_link`), ending in `#person` or `#team`.
        public var resourceTypeLink: URL?
        /// The page on launchpad.net (`web_link`).
        public var webLink: URL?
        /// Direct active members (`members_collection_link`).
        public var members: URL?
        /// Direct and indirect members (`participants_collection_link`).
        public var participants: URL?
        /// Memberships with status and dates (`members_details_collection_link`).
        public var membersDetails: URL?
        /// The owner of a team (`team_owner_link`).
        public var teamOwner: URL?

        /// Links from their URLs.
        public init(
            selfLink: URL, resourceTypeLink: URL? = nil, webLink: URL? = nil, members: URL? = nil,
            participants: URL? = nil, membersDetails: URL? = nil, teamOwner: URL? = nil
        ) {
            self.selfLink = selfLink
            self.resourceTypeLink = resourceTypeLink
            self.webLink = webLink
            self.members = members
            self.participants = participants
            self.membersDetails = membersDetails
            self.teamOwner = teamOwner
        }
    }

    /// The unique name (`name`), e.g. `alice`.
    public var name: String
    /// The name to show (`display_name`).
    public var displayName: Redactable<String>
    /// True for a team (`is_team`). When `is_team` is redacted it is read from
    /// `resource_type_link` (`#team` or `#person`), which Launchpad never redacts; it is
    /// ``Redactable/redacted`` only when neither says.
    public var isTeam: Redactable<Bool>
    /// False for deactivated, suspended or merged accounts (`is_valid`).
    public var isValid: Redactable<Bool>
    /// Signed the Ubuntu Code of Conduct (`is_ubuntu_coc_signer`).
    public var isUbuntuCoCSigner: Redactable<Bool>
    /// A new or low-karma account whose contributions are moderated (`is_probationary`).
    public var isProbationary: Redactable<Bool>?
    /// Karma points (`karma`).
    public var karma: Redactable<Int>?
    /// Who may see the entry (`visibility`).
    public var visibility: Redactable<LaunchpadVisibility>?
    /// When the account was created (`date_created`).
    public var dateCreated: Redactable<Date>?
    /// The account's time zone (`time_zone`).
    public var timeZone: Redactable<String>?
    /// Links to the entry and its collections.
    public var links: Links
    /// The entry's entity tag (`http_etag`), for conditional requests.
    public var httpETag: String?

    /// The name; unique in Launchpad.
    public var id: String { name }

    /// An entry from its values.
    public init(
        name: String, displayName: Redactable<String>, isTeam: Redactable<Bool>, isValid: Redactable<Bool>,
        isUbuntuCoCSigner: Redactable<Bool>, isProbationary: Redactable<Bool>? = nil, karma: Redactable<Int>? = nil,
        visibility: Redactable<LaunchpadVisibility>? = nil, dateCreated: Redactable<Date>? = nil,
        timeZone: Redactable<String>? = nil, links: Links, httpETag: String? = nil
    ) {
        self.name = name
        self.displayName = displayName
        self.isTeam = isTeam
        self.isValid = isValid
        self.isUbuntuCoCSigner = isUbuntuCoCSigner
        self.isProbationary = isProbationary
        self.karma = karma
        self.visibility = visibility
        self.dateCreated = dateCreated
        self.timeZone = timeZone
        self.links = links
        self.httpETag = httpETag
    }

    /// True only when Launchpad says, visibly, that the account is a valid person (not a
    /// team) who has signed the Ubuntu Code of Conduct: the check for an official address.
    /// Redacted values fail it.
    public var isValidUbuntuCoCSigner: Bool {
        isValid.value == true && isUbuntuCoCSigner.value == true && isTeam.value == false
    }
}
