/// Which Launchpad team owns each domain: a member of the team gets an address there.
public struct DomainTeamMapping: Sendable, Hashable {
    /// Domain (lowercase A-label) to team name (without `~`).
    public private(set) var teams: [String: String]

    /// A mapping from domain to team; domains are lowercased and teams lose a leading `~`.
    public init(_ teams: [String: String]) {
        var normalised: [String: String] = [:]
        for (domain, team) in teams {
            normalised[domain.lowercased()] = team.hasPrefix("~") ? String(team.dropFirst()) : team
        }
        self.teams = normalised
    }

    /// Ubuntu's domains and the teams that own them, from the case study.
    public static let ubuntu = DomainTeamMapping([
        "ubuntu.com": "ubuntumembers",
        "kubuntu.org": "kubuntu-members",
        "lubuntu.me": "lubuntu-members",
        "edubuntu.org": "edubuntu-members",
        "ubuntustudio.com": "ubuntustudio-core",
        "ubuntu.net": "ubuntu-smtp-test",
    ])

    /// The mapped domains, sorted.
    public var domains: [String] { teams.keys.sorted() }

    /// The distinct teams, sorted.
    public var distinctTeams: [String] { Array(Set(teams.values)).sorted() }

    /// The team that owns `domain`, if it is mapped.
    public func team(for domain: String) -> String? { teams[domain.lowercased()] }
}
