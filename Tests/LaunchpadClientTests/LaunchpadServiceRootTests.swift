import CommunityMailTestSupport
import Foundation
import HTTPTransport
import LaunchpadClient
import Testing

@Suite("Service roots: a version in the root, and OAuth only where the secret is safe")
struct LaunchpadServiceRootTests {
    static func directory() throws -> LaunchpadDirectory {
        var directory = LaunchpadDirectory()
        try directory.addPerson("alice", displayName: "Alice")
        return directory
    }

    @Test(
        "A root that already ends in the API version requests /<version>/~name once, not twice",
        arguments: [("1.0/", "1.0"), ("1.0", "1.0"), ("devel/", "devel"), ("devel", "devel")])
    func rootWithVersion(suffix: String, version: String) async throws {
        let server = try LaunchpadShapedServer(directory: Self.directory())
        defer { server.stop() }
        let root = try LaunchpadServiceRoot(string: server.serviceRoot.url.absoluteString + suffix)
        var configuration = LaunchpadWebServiceClient.Configuration(serviceRoot: root)
        configuration.retryPolicy.maximumAttempts = 1
        let client = try LaunchpadWebServiceClient(configuration: configuration)
        #expect(try await client.person(named: "alice").name == "alice")
        #expect(server.requests.map(\.target) == ["/\(version)/~alice"])
    }

    @Test("beta, 1.0 and devel at the end of a root are read as the version, with or without a slash")
    func knownVersionsParsed() throws {
        for version in ["beta", "1.0", "devel"] {
            for text in ["https://api.launchpad.net/\(version)/", "https://api.launchpad.net/\(version)"] {
                let root = try LaunchpadServiceRoot(string: text)
                #expect(root.url == LaunchpadServiceRoot.production.url, "\(text)")
                #expect(root.apiVersion?.rawValue == version, "\(text)")
            }
        }
    }

    @Test("A root naming one version and a configuration naming another is a typed configuration error")
    func conflictingVersions() throws {
        let root = try LaunchpadServiceRoot(string: "https://api.launchpad.net/devel/")
        var configuration = LaunchpadWebServiceClient.Configuration(serviceRoot: root)
        configuration.apiVersion = .v1_0
        #expect(throws: LaunchpadError.invalidConfiguration) { try LaunchpadWebServiceClient(configuration: configuration) }
    }

    @Test(
        "OAuth PLAINTEXT over plain http to a non-loopback host is refused: the token secret would travel in clear",
        arguments: ["http://api.launchpad.net/", "http://launchpad.example/api/", "http://10.0.0.7:8080/"])
    func plaintextOverHTTPRefused(root: String) throws {
        var configuration = LaunchpadWebServiceClient.Configuration(serviceRoot: try LaunchpadServiceRoot(string: root))
        configuration.credentials = .oauth(LaunchpadOAuthToken(consumerKey: "app", token: "t", tokenSecret: "s3cret"))
        let error = #expect(throws: LaunchpadError.invalidConfiguration) {
            try LaunchpadWebServiceClient(configuration: configuration)
        }
        #expect(error?.message.contains("s3cret") == false)
    }

    @Test(
        "OAuth over https anywhere, or over http on loopback, is allowed; anonymous http is allowed",
        arguments: [
            ("https://api.launchpad.net/", true), ("http://127.0.0.1:8080/", true), ("http://localhost/", true),
            ("http://[::1]:8080/", true), ("http://api.launchpad.net/", false),
        ])
    func allowedCombinations(root: String, signed: Bool) throws {
        var configuration = LaunchpadWebServiceClient.Configuration(serviceRoot: try LaunchpadServiceRoot(string: root))
        if signed {
            configuration.credentials = .oauth(LaunchpadOAuthToken(consumerKey: "app", token: "t", tokenSecret: "s"))
        }
        _ = try LaunchpadWebServiceClient(configuration: configuration)
    }
}
