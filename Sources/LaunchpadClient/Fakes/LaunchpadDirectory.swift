public import Foundation

/// The people, teams and memberships a Launchpad serves, as plain data: what
/// ``InMemoryLaunchpad`` and test servers answer from.
///
/// It enforces Launchpad's rules: valid, unique names; only teams have members; a team
/// cannot (even indirectly) contain itself; a membership names existing accounts.
public struct LaunchpadDirectory: Sendable {
    /// A person or team.
    public struct Account: Sendable, Hashable {
        /// The unique name.
        public var name: String
        /// The name to show.
        public var displayName: String
        /// True for a team.
        public var isTeam: Bool
        /// False for a deactivated, suspended or merged account.
        public var isValid: Bool
        /// Signed the Ubuntu Code of Conduct.
        public var isUbuntuCoCSigner: Bool
        /// A probationary account.
        public var isProbationary: Bool
        /// Karma points.
        public var karma: Int
        /// Who may see it.
        public var visibility: LaunchpadVisibility
        /// When it was created.
        public var dateCreated: Date
        /// Its time zone.
        public var timeZone: String
        /// A team's owner.
        public var teamOwner: String?
        /// JSON fields served as `tag:launchpad.net:2008:redacted` instead of their value,
        /// as Launchpad does for callers who may not see them.
        public var redactedFields: Set<String>

        /// An account; people are valid Code of Conduct signers unless told otherwise.
        public init(
            name: String, displayName: String? = nil, isTeam: Bool = false, isValid: Bool = true,
            isUbuntuCoCSigner: Bool = true, isProbationary: Bool = false, karma: Int = 0,
            visibility: LaunchpadVisibility = .public, dateCreated: Date = Date(timeIntervalSince1970: 1_118_048_391),
            timeZone: String = "UTC", teamOwner: String? = nil, redactedFields: Set<String> = []
        ) {
            self.name = name
            self.displayName = displayName ?? name
            self.isTeam = isTeam
            self.isValid = isValid
            self.isUbuntuCoCSigner = isTeam ? false : isUbuntuCoCSigner
            self.isProbationary = isProbationary
            self.karma = karma
            self.visibility = visibility
            self.dateCreated = dateCreated
            self.timeZone = timeZone
            self.teamOwner = teamOwner
            self.redactedFields = redactedFields
        }
    }

    /// One membership of one account in one team.
    public struct Membership: Sendable, Hashable {
        /// The member's name.
        public var member: String
        /// The team's name.
        public var team: String
        /// Its state; only approved and administrator memberships count.
        public var status: LaunchpadMembershipStatus
        /// When it was made.
        public var dateCreated: Date
        /// When the member joined.
        public var dateJoined: Date?
        /// When it ends.
        public var dateExpires: Date?
        /// The last change's note.
        public var lastChangeComment: String?
        /// JSON fields of its `team_membership` entry served as
        /// `tag:launchpad.net:2008:redacted` (a private team's membership, say).
        public var redactedFields: Set<String>

        /// A membership.
        public init(
            member: String, team: String, status: LaunchpadMembershipStatus = .approved,
            dateCreated: Date = Date(timeIntervalSince1970: 1_200_000_000), dateJoined: Date? = nil,
            dateExpires: Date? = nil, lastChangeComment: String? = nil, redactedFields: Set<String> = []
        ) {
            self.redactedFields = redactedFields
            self.member = member
            self.team = team
            self.status = status
            self.dateCreated = dateCreated
            self.dateJoined = dateJoined ?? (status.isActive ? dateCreated : nil)
            self.dateExpires = dateExpires
            self.lastChangeComment = lastChangeComment
        }
    }

    private var accounts: [String: Account] = [:] {
        didSet { generation &+= 1 }
    }
    /// Counts changes: equal generations of copies of one directory mean equal contents.
    public private(set) var generation: UInt64 = 0
    /// team -> member -> membership.
    private var memberships: [String: [String: Membership]] = [:] {
        didSet { generation &+= 1 }
    }

    /// An empty directory.
    public init() {}

    // MARK: Changing

    /// Adds a person or team.
    /// - Throws: ``LaunchpadError/invalidName``, or ``LaunchpadError/invalidConfiguration``
    ///   when the name is taken or the owner does not exist.
    public mutating func add(_ account: Account) throws {
        let name = try LaunchpadName.validated(account.name)
        guard accounts[name] == nil else {
            throw LaunchpadError.invalidConfiguration.with(message: "the name \(name) is already taken")
        }
        if let owner = account.teamOwner, accounts[owner] == nil {
            throw LaunchpadError.invalidConfiguration.with(message: "team owner \(owner) does not exist")
        }
        var account = account
        account.name = name
        accounts[name] = account
    }

    /// Adds a person with the given flags.
    /// - Throws: as ``add(_:)``.
    public mutating func addPerson(
        _ name: String, displayName: String? = nil, isValid: Bool = true, isUbuntuCoCSigner: Bool = true, karma: Int = 0
    ) throws {
        try add(Account(name: name, displayName: displayName, isValid: isValid, isUbuntuCoCSigner: isUbuntuCoCSigner, karma: karma))
    }

    /// Adds a team.
    /// - Throws: as ``add(_:)``.
    public mutating func addTeam(_ name: String, displayName: String? = nil, owner: String? = nil) throws {
        try add(Account(name: name, displayName: displayName, isTeam: true, teamOwner: owner))
    }

    /// Changes an existing account (its name stays).
    /// - Throws: ``LaunchpadError/notFound``.
    public mutating func update(_ name: String, _ change: (inout Account) -> Void) throws {
        let name = try LaunchpadName.validated(name)
        guard var account = accounts[name] else { throw LaunchpadError.notFound.with(message: "no account \(name)") }
        change(&account)
        account.name = name
        if account.isTeam { account.isUbuntuCoCSigner = false }
        accounts[name] = account
    }

    /// Makes or replaces `membership`.
    /// - Throws: ``LaunchpadError/notFound`` for an unknown member or team;
    ///   ``LaunchpadError/invalidConfiguration`` when the team is a person, or when an
    ///   active membership would make a team contain itself.
    public mutating func setMembership(_ membership: Membership) throws {
        let member = try LaunchpadName.validated(membership.member)
        let team = try LaunchpadName.validated(membership.team)
        guard let memberAccount = accounts[member] else { throw LaunchpadError.notFound.with(message: "no account \(member)") }
        guard let teamAccount = accounts[team] else { throw LaunchpadError.notFound.with(message: "no team \(team)") }
        guard teamAccount.isTeam else {
            throw LaunchpadError.invalidConfiguration.with(message: "\(team) is a person; only teams have members")
        }
        if membership.status.isActive, memberAccount.isTeam,
           member == team || participantNames(of: member).contains(team)
        {
            throw LaunchpadError.invalidConfiguration.with(message: "\(member) joining \(team) would make a cycle")
        }
        var stored = membership
        stored.member = member
        stored.team = team
        memberships[team, default: [:]][member] = stored
    }

    /// Adds `member` to `team` with `status`.
    /// - Throws: as ``setMembership(_:)``.
    public mutating func addMember(_ member: String, to team: String, status: LaunchpadMembershipStatus = .approved) throws {
        try setMembership(Membership(member: member, team: team, status: status))
    }

    /// Removes any membership of `member` in `team`.
    public mutating func removeMember(_ member: String, from team: String) {
        memberships[team]?[member] = nil
    }

    // MARK: Reading

    /// The account called `name` (with or without `~`).
    public func account(named name: String) -> Account? {
        guard let name = try? LaunchpadName.validated(name) else { return nil }
        return accounts[name]
    }

    /// The membership (in any state) of `member` in `team`, if there is one.
    public func membership(of member: String, in team: String) -> Membership? {
        memberships[team]?[member]
    }

    /// Every account, by name.
    public var allAccounts: [Account] { accounts.values.sorted { $0.name < $1.name } }

    /// Active memberships of `team`, in Launchpad's order (display name, then name).
    public func activeMemberships(of team: String) -> [Membership] {
        (memberships[team] ?? [:]).values.filter { $0.status.isActive }
            .map { (key: sortKey(accounts[$0.member]), membership: $0) }
            .sorted { $0.key < $1.key }.map(\.membership)
    }

    /// Direct active members of `team`, in Launchpad's order.
    public func members(of team: String) -> [Account] {
        activeMemberships(of: team).compactMap { accounts[$0.member] }
    }

    /// Direct and indirect members of `team` (through active memberships of member teams),
    /// in Launchpad's order.
    public func participants(of team: String) -> [Account] {
        participantNames(of: team).compactMap { accounts[$0] }
            .map { (key: sortKey($0), account: $0) }.sorted { $0.key < $1.key }.map(\.account)
    }

    private func participantNames(of team: String) -> Set<String> {
        var found: Set<String> = []
        var queue = [team]
        while let current = queue.popLast() {
            for (member, membership) in memberships[current] ?? [:] where membership.status.isActive {
                if member != team, found.insert(member).inserted, accounts[member]?.isTeam == true { queue.append(member) }
            }
        }
        return found
    }

    /// Launchpad orders people by display name, then name.
    private func sortKey(_ account: Account?) -> String {
        (account?.displayName.lowercased() ?? "") + "\u{0}" + (account?.name ?? "")
    }
}
