/// Why an HTTP exchange produced no response.
public struct HTTPClientError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case timeout, connectionRefused, cannotConnect, connectionLost, invalidURL, tls
        case responseTooLarge, cancelled, noScriptedResponse, other
    }

    private let code: Code
    /// What went wrong, in words a person can act on. Never contains credentials or bodies.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

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
    /// A ``ScriptedHTTPClient`` had no reply left for the request.
    public static let noScriptedResponse = HTTPClientError(.noScriptedResponse, "no scripted response for the request")
    /// Another transport failure.
    public static let other = HTTPClientError(.other, "the HTTP exchange failed")

    /// `self` with a more specific message.
    public func with(message: String) -> HTTPClientError { HTTPClientError(code, message) }

    /// True for failures that a later attempt may not repeat: timeouts, refused or lost
    /// connections, unreachable hosts.
    public var isTransient: Bool {
        [.timeout, .connectionRefused, .cannotConnect, .connectionLost].contains(code)
    }

    /// Errors of the same kind are equal, whatever their messages.
    public static func == (lhs: HTTPClientError, rhs: HTTPClientError) -> Bool { lhs.code == rhs.code }
    /// Hashes the kind only.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    /// The message.
    public var description: String { "HTTPClientError: \(message)" }
}
