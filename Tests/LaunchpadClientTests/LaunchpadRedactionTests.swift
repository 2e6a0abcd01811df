import CommunityMailTestSupport
import Foundation
import HTTPTransport
import LaunchpadClient
import Testing

/// Launchpad redacts every field of an entry the caller may not read except `name` and
/// `self_link` (a private team's, for instance); one such entry must not fail a listing.
@Suite("Redacted entries keep listings and lookups working")
struct LaunchpadRedactionTests {
    /// Every person field a private team shows to an anonymous caller as redacted.
    static let everyRedactableField: Set<String> = [
        "display_name", "is_team", "is_valid", "is_ubuntu_coc_signer", "is_probationary", "karma", "visibility",
        "date_created", "time_zone", "description",
    ]

    /// `~community`: alice and bob directly, and a private team (everything but its name
    /// redacted) through which carol participates.
    static func directory() throws -> LaunchpadDirectory {
        var directory = LaunchpadDirectory()
        try directory.addTeam("community", displayName: "Community")
        try directory.addPerson("alice", displayName: "Alice")
        try directory.addPerson("bob", displayName: "Bob")
        try directory.addPerson("carol", displayName: "Carol")
        try directory.add(
            .init(name: "secret-team", isTeam: true, visibility: .private, redactedFields: everyRedactableField))
        try directory.addMember("alice", to: "community")
        try directory.addMember("bob", to: "community")
        try directory.addMember("secret-team", to: "community")
        try directory.addMember("carol", to: "secret-team")
        return directory
    }

    @Test("A participants page with a private team whose display name, dates and karma are redacted lists every member")
    func participantsWithPrivateTeam() async throws {
        let server = try LaunchpadShapedServer(directory: Self.directory())
        defer { server.stop() }
        let client = try makeClient(server)
        let participants = try await client.participants(of: "community").collect()
        #expect(Set(participants.map(\.name)) == ["alice", "bob", "carol", "secret-team"])
        let names = try await client.memberNames(ofTeams: ["community"])
        #expect(names["community"] == ["alice", "bob", "carol"])
        #expect(try await client.isMember("carol", of: "community"))
    }

    @Test("A private team's own entry decodes with its redacted fields, and is never eligible")
    func privateTeamEntry() async throws {
        let server = try LaunchpadShapedServer(directory: Self.directory())
        defer { server.stop() }
        let team = try await makeClient(server).person(named: "secret-team")
        #expect(team.name == "secret-team")
        #expect(team.displayName == .redacted)
        #expect(team.isTeam == .value(true))
        #expect(team.isValid == .redacted)
        #expect(team.karma == .redacted)
        #expect(team.dateCreated == .redacted)
        #expect(!team.isValidUbuntuCoCSigner)
    }

    @Test("An entry with every field but name and self_link redacted decodes; is_team then comes from resource_type_link")
    func everythingRedacted() throws {
        let marker = "tag:launchpad.net:2008:redacted"
        var object: [String: Any] = ["self_link": "https://api.launchpad.net/1.0/~hidden", "name": "hidden"]
        for field in Self.everyRedactableField.union(["web_link", "http_etag", "members_collection_link"]) { object[field] = marker }
        let person = try LaunchpadPerson(jsonData: JSONSerialization.data(withJSONObject: object))
        #expect(person.name == "hidden")
        #expect(person.displayName == .redacted)
        #expect(person.isTeam == .redacted)
        #expect(person.links.webLink == nil && person.links.members == nil && person.httpETag == nil)
        #expect(!person.isValidUbuntuCoCSigner)
        object["resource_type_link"] = "https://api.launchpad.net/1.0/#team"
        #expect(try LaunchpadPerson(jsonData: JSONSerialization.data(withJSONObject: object)).isTeam == .value(true))
        object["resource_type_link"] = "https://api.launchpad.net/1.0/#person"
        #expect(try LaunchpadPerson(jsonData: JSONSerialization.data(withJSONObject: object)).isTeam == .value(false))
    }

    @Test("members_details with a private team's membership redacted lists every membership; the hidden one is not active")
    func membershipDetailsWithRedactedEntry() async throws {
        var directory = try Self.directory()
        try directory.setMembership(
            .init(
                member: "secret-team", team: "community",
                redactedFields: ["member_link", "status", "date_created", "date_joined", "date_expires", "last_change_comment"]))
        let server = try LaunchpadShapedServer(directory: directory)
        defer { server.stop() }
        let details = try await makeClient(server).membershipDetails(of: "community").collect()
        #expect(Set(details.map(\.memberName)) == ["alice", "bob", "secret-team"])
        let hidden = try #require(details.first { $0.memberName == "secret-team" })
        #expect(hidden.teamName == "community")
        #expect(hidden.status == .redacted)
        #expect(hidden.memberLink == nil)
        #expect(hidden.dateJoined == .redacted)
        #expect(!hidden.isActive())
        #expect(details.filter { $0.isActive() }.count == 2)
    }
}
