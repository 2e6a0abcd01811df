/// Membership questions answered from the collections, for any ``LaunchpadAPI``.
extension LaunchpadAPI {
    /// True when `person` participates in `team`, directly or through a member team.
    /// Stops listing as soon as the person is found.
    /// - Throws: ``LaunchpadError/invalidName`` for either name, and what listing throws
    ///   (``LaunchpadError/notFound`` for an unknown team).
    public func isMember(_ person: String, of team: String) async throws -> Bool {
        let wanted = try LaunchpadName.validated(person)
        _ = try LaunchpadName.validated(team)
        for try await participant in participants(of: team) where participant.name == wanted {
            return true
        }
        return false
    }

    /// For each team, the names of the people in it (directly or through member teams;
    /// teams themselves are left out unless `includingTeams`, and so is an entry whose kind
    /// Launchpad redacted entirely, which cannot be shown to be a person). Teams are listed
    /// concurrently, at most `maximumConcurrentTeams` at a time.
    /// - Throws: the first listing error; an unknown team is ``LaunchpadError/notFound``.
    public func memberNames(
        ofTeams teams: [String], includingTeams: Bool = false, maximumConcurrentTeams: Int = 4
    ) async throws -> [String: Set<String>] {
        let names = try teams.map { try LaunchpadName.validated($0) }
        var result: [String: Set<String>] = [:]
        try await withThrowingTaskGroup(of: (String, Set<String>).self) { group in
            var pending = Array(Set(names)).sorted()[...]
            func startNext() {
                guard let team = pending.popFirst() else { return }
                group.addTask {
                    var members: Set<String> = []
                    for try await participant in participants(of: team) where includingTeams || participant.isTeam == .value(false) {
                        members.insert(participant.name)
                    }
                    return (team, members)
                }
            }
            for _ in 0..<max(1, maximumConcurrentTeams) { startNext() }
            while let (team, members) = try await group.next() {
                result[team] = members
                startNext()
            }
        }
        return result
    }
}
