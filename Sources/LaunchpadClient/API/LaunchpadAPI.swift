/// What CommunityMail asks of Launchpad: people and teams, and who belongs to which team.
///
/// ``LaunchpadWebServiceClient`` talks to the real web service over HTTP;
/// ``InMemoryLaunchpad`` is the public fake, serving the same JSON pages from memory.
/// Names may be given with or without a leading `~`.
public protocol LaunchpadAPI: Sendable {
    /// The person or team called `name` (`GET /<version>/~name`).
    /// - Throws: ``LaunchpadError/notFound`` for an unknown name,
    ///   ``LaunchpadError/invalidName``, ``LaunchpadError/missingField``, and others.
    func person(named name: String) async throws -> LaunchpadPerson

    /// A team's direct, active members, people and teams (`members`).
    func members(of team: String) -> LaunchpadCollection<LaunchpadPerson>

    /// Everyone in a team directly or through member teams, people and teams
    /// (`participants`).
    func participants(of team: String) -> LaunchpadCollection<LaunchpadPerson>

    /// A team's active memberships with their status and dates (`members_details`).
    func membershipDetails(of team: String) -> LaunchpadCollection<LaunchpadTeamMembership>
}
