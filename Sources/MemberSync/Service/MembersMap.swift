public import Foundation

/// Who is in each mapped team, as Launchpad listed it at one moment.
///
/// Built once per run from every team's participants (direct and indirect members). A
/// user sync refuses a map older than the one it last used, so a slow, stale listing can
/// never undo what a newer one provisioned.
public struct MembersMap: Sendable, Hashable {
    /// When the listing started.
    public let builtAt: Date
    /// Team name to the names of the people in it.
    public let members: [String: Set<String>]

    /// A map from its parts (names are compared lowercase).
    public init(builtAt: Date, members: [String: Set<String>]) {
        self.builtAt = builtAt
        self.members = members.mapValues { Set($0.map { $0.lowercased() }) }
    }

    /// True when `person` is in `team`.
    public func contains(_ person: String, inTeam team: String) -> Bool {
        members[team]?.contains(person.lowercased()) ?? false
    }

    /// Every person in at least one team.
    public var everyone: Set<String> { members.values.reduce(into: Set<String>()) { $0.formUnion($1) } }
}
