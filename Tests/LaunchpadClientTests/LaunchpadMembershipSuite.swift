import CommunityMailTestSupport
import Foundation
import HTTPTransport
import LaunchpadClient
import Testing

/// Makes a ``LaunchpadAPI`` serving a directory: the HTTP client against the loopback
/// server, or the in-memory fake.
struct LaunchpadFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable (LaunchpadDirectory, Int) throws -> (api: any LaunchpadAPI, keepAlive: AnyObject?)

    var testDescription: String { name }

    static let http = LaunchpadFactory(name: "HTTP client + loopback server") { directory, pageSize in
        let server = try LaunchpadShapedServer(directory: directory)
        return (try makeClient(server, pageSize: pageSize), server)
    }
    static let fake = LaunchpadFactory(name: "InMemoryLaunchpad") { directory, pageSize in
        (try InMemoryLaunchpad(directory: directory, pageSize: pageSize), nil)
    }
    static let all = [http, fake]
}

@Suite("Membership, on the HTTP client and on the fake")
struct LaunchpadMembershipSuite {
    @Test("Person checks: valid Code of Conduct signers, invalid accounts, non-signers", arguments: LaunchpadFactory.all)
    func personChecks(factory: LaunchpadFactory) async throws {
        let (launchpad, keepAlive) = try factory.make(LaunchpadDatasets.community(), 75)
        defer { withExtendedLifetime(keepAlive) {} }
        let alice = try await launchpad.person(named: "~alice")
        #expect(alice.name == "alice")
        #expect(alice.displayName == .value("Alice Liddell"))
        #expect(alice.isValidUbuntuCoCSigner)
        #expect(alice.karma == .value(500))
        #expect(alice.visibility == .value(.public))
        #expect(alice.isProbationary == .value(false))
        #expect(alice.dateCreated == .value(Date(timeIntervalSince1970: 1_118_048_391)))
        #expect(alice.links.selfLink.absoluteString.hasSuffix("/1.0/~alice"))
        #expect(alice.links.resourceTypeLink?.fragment == "person")
        #expect(alice.httpETag?.isEmpty == false)
        #expect(try await !launchpad.person(named: "grace").isValidUbuntuCoCSigner)
        #expect(try await launchpad.person(named: "noconduct").isUbuntuCoCSigner == .value(false))
        let team = try await launchpad.person(named: "ubuntumembers")
        #expect(team.isTeam == .value(true))
        #expect(team.links.members?.absoluteString.hasSuffix("/~ubuntumembers/members") == true)
        #expect(team.links.teamOwner?.absoluteString.hasSuffix("/~bob") == true)
        await #expect(throws: LaunchpadError.notFound) { try await launchpad.person(named: "nobody") }
    }

    @Test("Direct members count approved and administrator memberships only", arguments: LaunchpadFactory.all)
    func directMembers(factory: LaunchpadFactory) async throws {
        let (launchpad, keepAlive) = try factory.make(LaunchpadDatasets.community(), 2)
        defer { withExtendedLifetime(keepAlive) {} }
        let members = try await launchpad.members(of: "ubuntumembers").collect().map(\.name)
        #expect(members == ["alice", "bob", "kubuntu-members"])
    }

    @Test("Participants include members of member teams, at any depth", arguments: LaunchpadFactory.all)
    func participants(factory: LaunchpadFactory) async throws {
        let (launchpad, keepAlive) = try factory.make(LaunchpadDatasets.community(), 2)
        defer { withExtendedLifetime(keepAlive) {} }
        let names = Set(try await launchpad.participants(of: "ubuntumembers").collect().map(\.name))
        #expect(names == ["alice", "bob", "kubuntu-members", "erin", "kubuntu-council", "frank"])
    }

    @Test("Is P in T: direct, indirect, pending, removed, unknown", arguments: LaunchpadFactory.all)
    func isMember(factory: LaunchpadFactory) async throws {
        let (launchpad, keepAlive) = try factory.make(LaunchpadDatasets.community(), 2)
        defer { withExtendedLifetime(keepAlive) {} }
        #expect(try await launchpad.isMember("alice", of: "ubuntumembers"))
        #expect(try await launchpad.isMember("~frank", of: "ubuntumembers"))
        #expect(try await launchpad.isMember("frank", of: "kubuntu-members"))
        #expect(try await !launchpad.isMember("frank", of: "lubuntu-members"))
        #expect(try await !launchpad.isMember("carol", of: "ubuntumembers"))
        #expect(try await !launchpad.isMember("dave", of: "ubuntumembers"))
        #expect(try await !launchpad.isMember("mallory", of: "ubuntumembers"))
        await #expect(throws: LaunchpadError.notFound) { try await launchpad.isMember("alice", of: "no-such-team") }
        await #expect(throws: LaunchpadError.invalidName) { try await launchpad.isMember("Alice!", of: "ubuntumembers") }
    }

    @Test("Team -> member names for several teams", arguments: LaunchpadFactory.all)
    func memberNameMap(factory: LaunchpadFactory) async throws {
        let (launchpad, keepAlive) = try factory.make(LaunchpadDatasets.community(), 2)
        defer { withExtendedLifetime(keepAlive) {} }
        let map = try await launchpad.memberNames(ofTeams: ["ubuntumembers", "kubuntu-members", "lubuntu-members"])
        #expect(map == [
            "ubuntumembers": ["alice", "bob", "erin", "frank"],
            "kubuntu-members": ["erin", "frank"],
            "lubuntu-members": ["alice", "grace"],
        ])
        let withTeams = try await launchpad.memberNames(ofTeams: ["kubuntu-members"], includingTeams: true)
        #expect(withTeams["kubuntu-members"] == ["erin", "frank", "kubuntu-council"])
        await #expect(throws: LaunchpadError.notFound) { try await launchpad.memberNames(ofTeams: ["ubuntumembers", "ghosts"]) }
    }

    @Test("members_details: status and dates", arguments: LaunchpadFactory.all)
    func membershipDetails(factory: LaunchpadFactory) async throws {
        var directory = try LaunchpadDatasets.community()
        let expiry = Date(timeIntervalSince1970: 1_900_000_000)
        try directory.setMembership(.init(
            member: "erin", team: "kubuntu-members", status: .approved, dateJoined: Date(timeIntervalSince1970: 1_300_000_000),
            dateExpires: expiry, lastChangeComment: "welcome"))
        let (launchpad, keepAlive) = try factory.make(directory, 2)
        defer { withExtendedLifetime(keepAlive) {} }
        let details = try await launchpad.membershipDetails(of: "ubuntumembers").collect()
        #expect(details.map(\.memberName) == ["alice", "bob", "kubuntu-members"])
        #expect(details.map(\.status) == [.value(.approved), .value(.administrator), .value(.approved)])
        #expect(details.allSatisfy { $0.teamName == "ubuntumembers" && $0.isActive(at: Date(timeIntervalSince1970: 1_800_000_000)) })
        let erin = try #require(try await launchpad.membershipDetails(of: "kubuntu-members").collect().first { $0.memberName == "erin" })
        #expect(erin.dateExpires == .value(expiry))
        #expect(erin.dateJoined == .value(Date(timeIntervalSince1970: 1_300_000_000)))
        #expect(erin.lastChangeComment == .value("welcome"))
        #expect(!erin.isActive(at: expiry.addingTimeInterval(1)))
    }

    @Test("Large teams page identically", arguments: LaunchpadFactory.all)
    func largeTeamPaging(factory: LaunchpadFactory) async throws {
        let (launchpad, keepAlive) = try factory.make(try LaunchpadDatasets.largeTeam(named: "big", memberCount: 700), 300)
        defer { withExtendedLifetime(keepAlive) {} }
        let names = try await launchpad.members(of: "big").collect().map(\.name)
        #expect(names == (0..<700).map(LaunchpadDatasets.memberName))
        #expect(try await launchpad.isMember(LaunchpadDatasets.memberName(699), of: "big"))
    }

    @Test("Stopping early does not fetch the whole collection", arguments: LaunchpadFactory.all)
    func earlyStop(factory: LaunchpadFactory) async throws {
        let (launchpad, keepAlive) = try factory.make(try LaunchpadDatasets.largeTeam(named: "big", memberCount: 700), 100)
        defer { withExtendedLifetime(keepAlive) {} }
        var first: [String] = []
        for try await member in launchpad.members(of: "big") {
            first.append(member.name)
            if first.count == 3 { break }
        }
        #expect(first == (0..<3).map(LaunchpadDatasets.memberName))
    }
}
