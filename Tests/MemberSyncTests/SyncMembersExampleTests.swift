import AliasStore
import CommunityMailTestSupport
import Foundation
import LaunchpadClient
import MemberSync
import Testing

/// `Examples/sync-members` as an admin runs it: against a Launchpad-shaped server on
/// loopback and an alias database, one user and then everyone.
@Suite("sync-members example", .enabled(if: TestPeers.shouldRun(SyncMembersBinary.url != nil)))
struct SyncMembersExampleTests {
    func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await ChildProcess.run(try #require(SyncMembersBinary.url, "build the examples first (swift build)"), arguments)
    }

    @Test("One member gets the address; after leaving the team, --all takes it away")
    func oneThenAll() async throws {
        let folder = try TemporaryDirectory(prefix: "sync-members")
        var directory = LaunchpadDirectory()
        for team in DomainTeamMapping.ubuntu.distinctTeams { try directory.addTeam(team) }
        try directory.addPerson("ana")
        try directory.addMember("ana", to: "kubuntu-members")
        let server = try LaunchpadShapedServer(directory: directory)
        defer { server.stop() }

        let database = folder.path("aliases.sqlite")
        do {
            let aliases = try SQLiteAliasStore(path: database)
            _ = try await aliases.saveUser(User(id: "admin", email: "admin@example.org"), by: .person("root"))
            _ = try await aliases.createDomain("kubuntu.org", plan: .team, verificationToken: nil, by: .person("root"))
            _ = try await aliases.recordVerification(domain: "kubuntu.org", verified: true, by: .person("root"))
            _ = try await aliases.setMember("admin", role: .admin, onDomain: "kubuntu.org", by: .person("root"))
        }
        let root = server.serviceRoot.url.absoluteString
        let one = try await run([database, "--user", "ana", "--email", "ana@example.org", "--claimed-id", "https://login.ubuntu.test/+id/AnaAnaA", "--api-root", root])
        #expect(one.status == 0, "\(one.output)")
        #expect(one.output.contains("ana: created ana@kubuntu.org"))
        #expect(one.output.contains("notice [alias-created] to admin@example.org"))

        server.update { $0.removeMember("ana", from: "kubuntu-members") }
        let all = try await run([database, "--all", "--api-root", root, "--json"])
        #expect(all.status == 0, "\(all.output)")
        #expect(all.output.contains("\"removed\" : 1"))
        let aliases = try SQLiteAliasStore(path: database)
        #expect(try await aliases.alias(named: "ana", domain: "kubuntu.org") == nil)

        let usage = try await run([database])
        #expect(usage.status == 2)
    }
}

/// The built example, next to the test bundle in `.build/debug`.
enum SyncMembersBinary {
    static var url: URL? { TestPeers.builtExecutable("sync-members") }
}
