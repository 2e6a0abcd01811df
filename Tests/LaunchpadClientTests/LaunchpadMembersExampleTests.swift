import CommunityMailTestSupport
import Foundation
import LaunchpadClient
import Testing

/// `Examples/launchpad-members` against the Launchpad-shaped loopback server.
@Suite("launchpad-members example")
struct LaunchpadMembersExampleTests {
    static func binary() throws -> URL {
        try #require(TestPeers.builtExecutable("launchpad-members"), "build the example first (swift build)")
    }

    static func server() throws -> LaunchpadShapedServer {
        var directory = LaunchpadDirectory()
        try directory.add(.init(name: "quiet", displayName: "Quiet Person", redactedFields: ["display_name", "karma"]))
        try directory.addTeam("community")
        try directory.add(
            .init(name: "secret-team", isTeam: true, visibility: .private, redactedFields: LaunchpadRedactionTests.everyRedactableField))
        try directory.addMember("quiet", to: "community")
        try directory.addMember("secret-team", to: "community")
        return try LaunchpadShapedServer(directory: directory)
    }

    @Test("--person with a redacted display name prints <redacted> and still checks eligibility")
    func redactedDisplayName() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let run = try await ChildProcess.run(
            Self.binary(), ["--person", "quiet", "--api-root", server.serviceRoot.url.absoluteString])
        #expect(run.status == 0, "\(run.output)")
        let line = run.output.split(separator: "\n").first { $0.hasPrefix("display_name ") }
        #expect(line.map { $0.hasSuffix(" <redacted>") } == true, "\(run.output)")
        #expect(!run.output.contains("Quiet Person"))
    }

    @Test("--person --json gives Launchpad's redaction marker for a redacted display name")
    func redactedDisplayNameJSON() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let run = try await ChildProcess.run(
            Self.binary(), ["--person", "quiet", "--json", "--api-root", server.serviceRoot.url.absoluteString])
        #expect(run.status == 0, "\(run.output)")
        let object = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        #expect(object?["display_name"] as? String == "tag:launchpad.net:2008:redacted", "\(run.output)")
    }

    @Test("A team with a private member team lists every participant, the private team included")
    func participantsWithPrivateTeam() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let run = try await ChildProcess.run(
            Self.binary(), ["community", "--participants", "--api-root", server.serviceRoot.url.absoluteString])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("secret-team (team)"), "\(run.output)")
        #expect(run.output.contains("2 participants of ~community"), "\(run.output)")
    }

    @Test("--api-root may end in the API version, as Launchpad's documentation writes it")
    func apiRootWithVersion() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let run = try await ChildProcess.run(
            Self.binary(), ["community", "--api-root", server.serviceRoot.url.absoluteString + "1.0/"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("2 members of ~community"), "\(run.output)")
    }
}
