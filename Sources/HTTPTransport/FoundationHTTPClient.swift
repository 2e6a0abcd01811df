import CommunityMailSystem
public import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real ``HTTPClient``, over Foundation's `URLSession`.
///
/// Redirects are followed only when a request asks (``HTTPRequest/followsRedirects``);
/// each request has an overall deadline; a body over the size limit is refused while it
/// arrives, so no more than the limit is ever held for it. Except on Linux for the body of
/// a 3xx response, which swift-corelibs-foundation gathers itself before the client sees
/// it (Documentation/HTTPTransport.md, "Known gap").
public final class FoundationHTTPClient: HTTPClient {
    /// Settings for the client.
    public struct Configuration: Sendable {
        /// The largest response body accepted, counted after content decoding (a gzip or
        /// deflate body counts at its expanded size). A larger declared `Content-Length`
        /// is refused from the header; a body that grows past it (chunked, or expanding)
        /// is cancelled as it arrives. Default: ``HTTPResponse/defaultMaximumBodySize``
        /// (16 MiB).
        public var maximumResponseBodySize: Int = HTTPResponse.defaultMaximumBodySize
        /// A `User-Agent` sent when the request sets none. Default: `CommunityMail`.
        public var userAgent: String? = "CommunityMail"
        /// The defaults above.
        public init() {}
    }

    private let configuration: Configuration
    private let session: URLSession
    private let delegate: URLSessionExchangeDelegate

    /// A client with its own `URLSession` (no cookies, no cache, no credential storage).
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.httpCookieStorage = nil
        sessionConfiguration.httpShouldSetCookies = false
        sessionConfiguration.urlCache = nil
        sessionConfiguration.urlCredentialStorage = nil
        sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let delegate = URLSessionExchangeDelegate()
        self.delegate = delegate
        self.session = URLSession(configuration: sessionConfiguration, delegate: delegate, delegateQueue: nil)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// Sends `request`; see ``HTTPClient/execute(_:)``.
    /// - Throws: ``HTTPClientError/responseTooLarge`` for a body over
    ///   ``Configuration/maximumResponseBodySize``, and the other ``HTTPClientError`` values.
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              request.url.host != nil
        else { throw HTTPClientError.invalidURL.with(message: "not an absolute http(s) URL: \(request.url.redactedForLogs)") }

        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method.rawValue
        urlRequest.timeoutInterval = max(0.001, request.timeout.timeInterval)
        for field in request.headers { urlRequest.addValue(field.value, forHTTPHeaderField: field.name) }
        if request.headers["User-Agent"] == nil, let agent = configuration.userAgent {
            urlRequest.setValue(agent, forHTTPHeaderField: "User-Agent")
        }
        urlRequest.httpBody = request.body

        let exchange = URLSessionExchange(
            limit: configuration.maximumResponseBodySize, target: request.url.redactedForLogs, isHead: request.method == .head)
        return try await send(urlRequest, exchange: exchange, follow: request.followsRedirects, timeout: request.timeout)
    }

    /// Runs one data task whose body arrives piece by piece through the session delegate.
    /// Whichever comes first (the complete response, a body over the limit, the deadline,
    /// or the Swift task's cancellation) resumes the caller at once; the data task is
    /// cancelled in the other cases but not waited for, so a busy or stuck transfer never
    /// holds the caller past its deadline.
    private func send(
        _ urlRequest: URLRequest, exchange: URLSessionExchange, follow: Bool, timeout: Duration
    ) async throws -> HTTPResponse {
        let target = urlRequest.url?.redactedForLogs ?? "the server"
        let session = self.session
        let delegate = self.delegate
        // The deadline is a task asleep on the continuous clock, cancelled as soon as the
        // exchange ends whichever way; it finishes the exchange only if it wakes first.
        let deadline = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            exchange.finish(
                with: .failure(HTTPClientError.timeout.with(message: "no complete response from \(target) within \(timeout)")))
        }
        defer { deadline.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                exchange.start(continuation)
                // No completion handler: with one, URLSession would gather the whole body
                // before anything could count it.
                let task = session.dataTask(with: urlRequest)
                task.taskDescription = follow ? URLSessionExchangeDelegate.follow : URLSessionExchangeDelegate.doNotFollow
                delegate.register(exchange, for: task)
                exchange.attach(task)
                task.resume()
            }
        } onCancel: {
            exchange.finish(with: .failure(HTTPClientError.cancelled.with(message: "request to \(target) was cancelled")))
        }
    }

    /// The typed error for a transfer that failed; `target` is the redacted URL.
    static func map(_ error: any Error, target: String) -> HTTPClientError {
        guard let reported = error as? URLError else {
            return HTTPClientError.other.with(message: "request to \(target) failed (\(type(of: error)))", cause: error)
        }
        // The code alone: URLError's user info holds the failing URL, query and all.
        let urlError = URLError(reported.code)
        switch urlError.code {
        case .timedOut:
            return HTTPClientError.timeout.with(message: "request to \(target) timed out", cause: urlError)
        case .cannotConnectToHost:
            return HTTPClientError.connectionRefused.with(message: "connection to \(target) was refused", cause: urlError)
        case .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet, .internationalRoamingOff:
            return HTTPClientError.cannotConnect.with(message: "cannot reach \(target)", cause: urlError)
        case .networkConnectionLost:
            return HTTPClientError.connectionLost.with(message: "connection to \(target) was lost", cause: urlError)
        case .badServerResponse:
            // What URLSession reports when the server closes the connection without a
            // (complete) response: a lost connection, worth retrying.
            return HTTPClientError.connectionLost.with(message: "\(target) closed the connection without a complete response", cause: urlError)
        case .cancelled:
            return HTTPClientError.cancelled.with(message: "request to \(target) was cancelled", cause: urlError)
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return HTTPClientError.tls.with(message: "TLS with \(target) failed", cause: urlError)
        case .dataLengthExceedsMaximum:
            return HTTPClientError.responseTooLarge.with(message: "response from \(target) is too large", cause: urlError)
        default:
            return HTTPClientError.other.with(message: "request to \(target) failed (URLError \(urlError.code.rawValue))", cause: urlError)
        }
    }
}

extension URL {
    /// The URL without its query, fragment or user info, for messages: queries often
    /// carry tokens or signatures.
    public var redactedForLogs: String {
        guard var components = URLComponents(url: self, resolvingAgainstBaseURL: false) else { return "<url>" }
        let hadQuery = components.query != nil
        components.query = nil
        components.fragment = nil
        components.user = nil
        components.password = nil
        return (components.string ?? "<url>") + (hadQuery ? "?…" : "")
    }
}
