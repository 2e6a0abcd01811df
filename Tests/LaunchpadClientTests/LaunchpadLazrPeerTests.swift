import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import HTTPTransport
import LaunchpadClient
import Testing

/// Interop with code nobody here wrote: `Peers/launchpad_lazr_peer.py` pages with
/// lazr.batchnavigator (the batching behind Launchpad's web service) and checks OAuth
/// PLAINTEXT signatures with oauthlib (what launchpadlib signs with).
@Suite(
    "Interop: lazr.batchnavigator paging and oauthlib-checked signatures",
    .enabled(if: TestPeers.shouldRun(TestPeers.pythonHas(["lazr.batchnavigator", "oauthlib"])))
)
struct LaunchpadLazrPeerTests {
    static let memberCount = 1000
    static let secret = "peer-s3cret&/+"

    /// The peer on a free loopback port, and a client for it signing with `secret`.
    static func start(secret: String = Self.secret) async throws -> (ChildProcess, LaunchpadServiceRoot) {
        let python = try #require(TestPeers.python, "no Python virtual environment; run Scripts/install-test-deps")
        let script = TestPeers.repositoryRoot.appendingPathComponent("Tests/LaunchpadClientTests/Peers/launchpad_lazr_peer.py")
        let port = try ChildProcess.freePort()
        let peer = try ChildProcess(python, [script.path, String(port), "big-team", String(memberCount), secret])
        do {
            try await peer.waitForTCPPort(port)
        } catch {
            Issue.record("the lazr peer did not start: \(peer.output)")
            throw error
        }
        return (peer, try LaunchpadServiceRoot(string: "http://127.0.0.1:\(port)/"))
    }

    static func client(
        _ root: LaunchpadServiceRoot, pageSize: Int = 300, concurrency: Int = 4, version: LaunchpadAPIVersion = .v1_0,
        secret: String = Self.secret
    ) throws -> LaunchpadWebServiceClient {
        var configuration = LaunchpadWebServiceClient.Configuration(serviceRoot: root, apiVersion: version)
        configuration.pageSize = pageSize
        configuration.maximumConcurrentPages = concurrency
        configuration.retryPolicy = .none
        configuration.credentials = .oauth(LaunchpadOAuthToken(consumerKey: "community-mail tests", token: "t0k", tokenSecret: secret))
        return try LaunchpadWebServiceClient(configuration: configuration, clock: ManualClock(advancesOnSleep: true))
    }

    @Test("Signed listings of 1,000 members page as lazr.batchnavigator does, in every mode")
    func listings() async throws {
        let (peer, root) = try await Self.start()
        defer { peer.stop() }
        let expected = (0..<Self.memberCount).map(LaunchpadDatasets.memberName)
        for (pageSize, concurrency, version) in [(75, 1, LaunchpadAPIVersion.v1_0), (300, 4, .v1_0), (75, 4, .devel), (300, 1, .devel)] {
            let client = try Self.client(root, pageSize: pageSize, concurrency: concurrency, version: version)
            let names = try await client.members(of: "big-team").collect().map(\.name)
            #expect(names == expected, "ws.size=\(pageSize), \(concurrency) at a time, \(version)")
        }
        #expect(peer.output.contains("memo="), "links from lazr.batchnavigator (with memo) were followed")
    }

    @Test("Entries, membership and errors against the peer")
    func entries() async throws {
        let (peer, root) = try await Self.start()
        defer { peer.stop() }
        let client = try Self.client(root)
        let member = try await client.person(named: "member-00042")
        #expect(member.isValidUbuntuCoCSigner)
        #expect(member.timeZone == .redacted)
        let team = try await client.person(named: "big-team")
        #expect(team.isTeam == .value(true) && !team.isValidUbuntuCoCSigner)
        #expect(try await client.isMember("member-00999", of: "big-team"))
        #expect(try await !client.isMember("member-01000", of: "big-team"))
        await #expect(throws: LaunchpadError.notFound) { try await client.person(named: "member-01000") }
    }

    @Test("oauthlib refuses a wrong secret: a typed unauthorized error")
    func wrongSecret() async throws {
        let (peer, root) = try await Self.start()
        defer { peer.stop() }
        let client = try Self.client(root, secret: "not-the-secret")
        let error = await #expect(throws: LaunchpadError.unauthorized) { try await client.person(named: "member-00001") }
        #expect(error?.status == 401)
        #expect(error.map { !$0.message.contains("not-the-secret") } == true)
    }
}
