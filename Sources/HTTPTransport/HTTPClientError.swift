public import CommunityMailSystem

/// Why an HTTP exchange produced no response.
///
/// Compare with the static values (`error == .timeout`); ``isTransient`` says whether a
/// later attempt may succeed, and ``cause`` keeps the transport's own error (a `URLError`,
/// a `NetworkError`) as a typed value for code that needs more than the kind.
public struct HTTPClientError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case timeout, connectionRefused, cannotConnect, connectionLost, invalidURL, tls
        case responseTooLarge, cancelled, other
    }

    private let parts: ErrorParts<Code>
    private var code: Code { parts.code }
    /// What went wrong, in words a person can act on. Never contains credentials, URL
    /// queries or bodies.
    public var message: String { parts.message }
    /// The error the transport reported, when there was one (a `URLError` from
    /// ``FoundationHTTPClient``). Not part of equality.
    public var cause: (any Error)? { parts.cause }

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) { parts = ErrorParts(code, message, cause: cause) }

    /// The request's deadline passed before the response was complete.
    public static let timeout = HTTPClientError(.timeout, "the request timed out")
    /// Nothing listens at the host and port.
    public static let connectionRefused = HTTPClientError(.connectionRefused, "the connection was refused")
    /// The host could not be reached (DNS failure, no route).
    public static let cannotConnect = HTTPClientError(.cannotConnect, "cannot connect to the host")
    /// The connection broke before the response was complete.
    public static let connectionLost = HTTPClientError(.connectionLost, "the connection was lost")
    /// The URL is not an absolute http or https URL.
    public static let invalidURL = HTTPClientError(.invalidURL, "the URL is not an absolute http(s) URL")
    /// TLS failed (certificate, handshake).
    public static let tls = HTTPClientError(.tls, "the TLS handshake failed")
    /// The body was larger than the configured limit.
    public static let responseTooLarge = HTTPClientError(.responseTooLarge, "the response body is too large")
    /// The task was cancelled.
    public static let cancelled = HTTPClientError(.cancelled, "the request was cancelled")
    /// Another transport failure; ``cause`` (when set) says which.
    public static let other = HTTPClientError(.other, "the HTTP exchange failed")

    /// `self` with a more specific message, keeping the cause.
    public func with(message: String) -> HTTPClientError { HTTPClientError(code, message, cause: cause) }

    /// `self` with a more specific message and the transport's own error.
    public func with(message: String, cause: (any Error)?) -> HTTPClientError { HTTPClientError(code, message, cause: cause) }

    /// True for failures that a later attempt may not repeat: timeouts, refused or lost
    /// connections, unreachable hosts; for ``other``, whatever its cause says. False for a
    /// bad URL, a TLS failure, a body over the limit and cancellation.
    public var isTransient: Bool {
        switch code {
        case .timeout, .connectionRefused, .cannotConnect, .connectionLost: true
        case .other: cause?.isTransientFailure ?? false
        case .invalidURL, .tls, .responseTooLarge, .cancelled: false
        }
    }

    /// The message.
    public var description: String { "HTTPClientError: \(message)" }
}
