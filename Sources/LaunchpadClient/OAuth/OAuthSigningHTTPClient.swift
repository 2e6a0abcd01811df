import CommunityMailSystem
import Foundation
import HTTPTransport

/// Adds a fresh OAuth PLAINTEXT `Authorization` header to each request under the service
/// root, and refuses to sign any other: PLAINTEXT sends the token secret itself, so it must
/// go nowhere but the root the client was configured (and checked) for.
struct OAuthSigningHTTPClient: HTTPClient {
    let base: any HTTPClient
    let token: LaunchpadOAuthToken
    let root: LaunchpadServiceRoot
    let version: LaunchpadAPIVersion
    let clock: any ServiceClock

    func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard root.contains(request.url, version: version) else {
            throw LaunchpadError.foreignLink.with(
                message: "refusing to sign a request outside the service root: \(request.url.redactedForLogs)")
        }
        let realm = root.url.absoluteString
        var signed = request
        signed.headers["Authorization"] = token.authorizationHeader(
            realm: realm, now: clock.now(), nonce: LaunchpadOAuthToken.makeNonce())
        return try await base.execute(signed)
    }
}
