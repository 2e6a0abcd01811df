import Foundation
import HTTPTransport

/// Adds a fresh OAuth PLAINTEXT `Authorization` header to each request.
struct OAuthSigningHTTPClient: HTTPClient {
    let base: any HTTPClient
    let token: LaunchpadOAuthToken
    let realm: String
    let now: @Sendable () -> Date

    func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        var signed = request
        signed.headers["Authorization"] = token.authorizationHeader(
            realm: realm, now: now(), nonce: LaunchpadOAuthToken.makeNonce())
        return try await base.execute(signed)
    }
}
