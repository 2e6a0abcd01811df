/// The seam through which every product talks HTTP.
///
/// ``FoundationHTTPClient`` is the real implementation, ``ScriptedHTTPClient`` the fake for
/// tests, and ``RetryingHTTPClient`` wraps either with a ``RetryPolicy``. A host may plug
/// in its own (async-http-client, say) by conforming to this protocol.
public protocol HTTPClient: Sendable {
    /// Sends `request` and returns the whole response. Any status is a response, not an
    /// error; errors are for exchanges that produced no response.
    /// - Throws: ``HTTPClientError``.
    func execute(_ request: HTTPRequest) async throws -> HTTPResponse
}
