import CommunityMailSystem
import Foundation
import HTTPTransport
@testable import LaunchpadClient
import Testing

/// PLAINTEXT sends the token secret itself: it goes to the configured root and nowhere else,
/// and a root never carries user info (it would go into every request and the realm).
@Suite("OAuth signing stays inside the service root")
struct OAuthSigningTests {
    @Test("A root with user info is refused, without echoing the password")
    func rootWithUserInfo() {
        for text in ["https://user:hunter2@api.launchpad.net/", "https://user@api.launchpad.net/1.0/"] {
            let error = #expect(throws: LaunchpadError.self) { try LaunchpadServiceRoot(string: text) }
            #expect(error == .invalidConfiguration)
            #expect(error?.message.contains("hunter2") == false)
        }
    }

    @Test("The signer signs requests under the root and refuses any other URL, sending nothing")
    func signerRefusesForeignURLs() async throws {
        let root = try LaunchpadServiceRoot(string: "https://api.launchpad.net/")
        let fake = ScriptedHTTPClient(fallback: { _ in HTTPResponse(status: 200, body: Data("{}".utf8)) })
        let signer = OAuthSigningHTTPClient(
            base: fake, token: LaunchpadOAuthToken(consumerKey: "app", token: "t", tokenSecret: "secret"),
            root: root, version: .v1_0, clock: ManualClock(start: Date(timeIntervalSince1970: 1_700_000_000)))

        _ = try await signer.execute(HTTPRequest(url: URL(string: "https://api.launchpad.net/1.0/~alice")!))
        let sent = fake.requests
        #expect(sent.count == 1)
        #expect(sent.first?.headers["Authorization"]?.contains("oauth_signature=") == true)

        for foreign in [
            "https://evil.example/1.0/~alice", "http://api.launchpad.net/1.0/~alice", "https://api.launchpad.net:8443/1.0/~alice",
            "https://api.launchpad.net/devel/~alice", "https://api.launchpad.net.evil.example/1.0/~alice",
        ] {
            let error = await #expect(throws: LaunchpadError.self) {
                _ = try await signer.execute(HTTPRequest(url: URL(string: foreign)!))
            }
            #expect(error == .foreignLink, "\(foreign)")
        }
        #expect(fake.requests.count == 1)
    }
}
