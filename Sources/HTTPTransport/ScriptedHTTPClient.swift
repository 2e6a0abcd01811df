import Foundation
import Synchronization

/// A public in-memory ``HTTPClient`` for tests: it records every request and answers from
/// a script of replies, in order, then from an optional fallback handler.
///
/// Like ``FoundationHTTPClient``, it refuses a response body over its limit with
/// ``HTTPClientError/responseTooLarge``, so code tested against the fake meets the limit
/// it will meet for real.
///
/// ```swift
/// let http = ScriptedHTTPClient()
/// http.enqueue(.response(HTTPResponse(status: 503)))
/// http.enqueue(.response(HTTPResponse(status: 200, body: Data("ok".utf8))))
/// ```
public final class ScriptedHTTPClient: HTTPClient {
    /// One scripted answer.
    public enum Reply: Sendable {
        /// Answer with this response.
        case response(HTTPResponse)
        /// Fail with this error.
        case failure(HTTPClientError)
        /// Compute the answer from the request.
        case handler(@Sendable (HTTPRequest) async throws -> HTTPResponse)
    }

    private struct State {
        var queue: [Reply] = []
        var requests: [HTTPRequest] = []
    }

    private let state = Mutex(State())
    private let fallback: (@Sendable (HTTPRequest) async throws -> HTTPResponse)?
    /// The largest response body answered; a larger one fails with
    /// ``HTTPClientError/responseTooLarge``, as from ``FoundationHTTPClient``.
    public let maximumResponseBodySize: Int

    /// A client that answers with `replies` in order, then with `fallback` (if given),
    /// then with ``ScriptedHTTPClient/UnscriptedRequest``.
    /// - Parameter maximumResponseBodySize: the body limit, as
    ///   ``FoundationHTTPClient/Configuration/maximumResponseBodySize``. Default:
    ///   ``HTTPResponse/defaultMaximumBodySize`` (16 MiB).
    public init(
        replies: [Reply] = [], maximumResponseBodySize: Int = HTTPResponse.defaultMaximumBodySize,
        fallback: (@Sendable (HTTPRequest) async throws -> HTTPResponse)? = nil
    ) {
        self.fallback = fallback
        self.maximumResponseBodySize = maximumResponseBodySize
        state.withLock { $0.queue = replies }
    }

    /// Appends a reply to the script.
    public func enqueue(_ reply: Reply) {
        state.withLock { $0.queue.append(reply) }
    }

    /// Every request received, in order.
    public var requests: [HTTPRequest] { state.withLock { $0.requests } }

    /// Scripted replies not yet used.
    public var pendingReplyCount: Int { state.withLock { $0.queue.count } }

    /// Records `request` and answers from the script.
    /// - Throws: the scripted error, ``HTTPClientError/responseTooLarge`` for a body over
    ///   ``maximumResponseBodySize``, or ``ScriptedHTTPClient/UnscriptedRequest`` when the script has run out.
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await answer(request)
        guard response.body.count <= maximumResponseBodySize else {
            throw HTTPClientError.responseTooLarge.with(
                message: "the response body from \(request.url.redactedForLogs) has \(response.body.count) bytes, "
                    + "more than the limit of \(maximumResponseBodySize) bytes")
        }
        return response
    }

    private func answer(_ request: HTTPRequest) async throws -> HTTPResponse {
        let reply: Reply? = state.withLock { state in
            state.requests.append(request)
            return state.queue.isEmpty ? nil : state.queue.removeFirst()
        }
        switch reply {
        case .response(var response)?:
            if response.url == nil { response.url = request.url }
            return response
        case .failure(let error)?:
            throw error
        case .handler(let handler)?:
            return try await handler(request)
        case nil:
            if let fallback { return try await fallback(request) }
            throw UnscriptedRequest(method: request.method, target: request.url.redactedForLogs)
        }
    }
}
