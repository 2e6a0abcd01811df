import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real ``HTTPClient``, over Foundation's `URLSession`.
///
/// Redirects are followed only when a request asks (``HTTPRequest/followsRedirects``);
/// each request has an overall deadline; bodies above a size limit are refused.
public final class FoundationHTTPClient: HTTPClient {
    /// Settings for the client.
    public struct Configuration: Sendable {
        /// The largest response body accepted. Default: 16 MiB.
        public var maximumResponseBodySize: Int = 16 << 20
        /// A `User-Agent` sent when the request sets none. Default: `CommunityMail`.
        public var userAgent: String? = "CommunityMail"
        /// The defaults above.
        public init() {}
    }

    private let configuration: Configuration
    private let session: URLSession

    /// A client with its own `URLSession` (no cookies, no cache, no credential storage).
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.httpCookieStorage = nil
        sessionConfiguration.httpShouldSetCookies = false
        sessionConfiguration.urlCache = nil
        sessionConfiguration.urlCredentialStorage = nil
        sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
        self.session = URLSession(configuration: sessionConfiguration, delegate: RedirectDelegate(), delegateQueue: nil)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// Sends `request`; see ``HTTPClient/execute(_:)``.
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              request.url.host != nil
        else { throw HTTPClientError.invalidURL.with(message: "not an absolute http(s) URL: \(request.url.redactedForLogs)") }

        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method.rawValue
        urlRequest.timeoutInterval = max(0.001, request.timeout.seconds)
        for field in request.headers { urlRequest.addValue(field.value, forHTTPHeaderField: field.name) }
        if request.headers["User-Agent"] == nil, let agent = configuration.userAgent {
            urlRequest.setValue(agent, forHTTPHeaderField: "User-Agent")
        }
        urlRequest.httpBody = request.body

        return try await Self.send(
            urlRequest, follow: request.followsRedirects, session: session,
            limit: configuration.maximumResponseBodySize, timeout: request.timeout)
    }

    /// Runs one data task. Whichever comes first (the response, the deadline, or the Swift
    /// task's cancellation) resumes the caller at once; the data task is cancelled in the
    /// other two cases but not waited for, so a busy or stuck transfer never holds the
    /// caller past its deadline.
    private static func send(
        _ urlRequest: URLRequest, follow: Bool, session: URLSession, limit: Int, timeout: Duration
    ) async throws -> HTTPResponse {
        let exchange = Exchange()
        let target = urlRequest.url?.redactedForLogs ?? "the server"
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                exchange.start(continuation)
                let task = session.dataTask(with: urlRequest) { data, response, error in
                    exchange.finish(with: Self.outcome(data: data, response: response, error: error, url: urlRequest.url, limit: limit))
                }
                task.taskDescription = follow ? RedirectDelegate.follow : RedirectDelegate.doNotFollow
                exchange.attach(task)
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout.seconds) {
                    exchange.finish(
                        with: .failure(HTTPClientError.timeout.with(message: "no complete response from \(target) within \(timeout)")))
                }
                task.resume()
            }
        } onCancel: {
            exchange.finish(with: .failure(HTTPClientError.cancelled.with(message: "request to \(target) was cancelled")))
        }
    }

    private static func outcome(
        data: Data?, response: URLResponse?, error: (any Error)?, url: URL?, limit: Int
    ) -> Result<HTTPResponse, any Error> {
        if let error { return .failure(map(error, url: url)) }
        guard let http = response as? HTTPURLResponse else {
            return .failure(HTTPClientError.other.with(message: "the response was not HTTP"))
        }
        let body = data ?? Data()
        guard body.count <= limit else {
            return .failure(
                HTTPClientError.responseTooLarge.with(message: "response body of \(body.count) bytes exceeds the limit of \(limit)"))
        }
        var headers = HTTPHeaders()
        for (name, value) in http.allHeaderFields {
            headers.add(name: String(describing: name), value: String(describing: value))
        }
        return .success(HTTPResponse(status: http.statusCode, headers: headers, body: body, url: http.url))
    }

    private static func map(_ error: any Error, url: URL?) -> HTTPClientError {
        let target = url?.redactedForLogs ?? "the server"
        guard let urlError = error as? URLError else {
            return HTTPClientError.other.with(message: "request to \(target) failed: \(error.localizedDescription)")
        }
        switch urlError.code {
        case .timedOut:
            return HTTPClientError.timeout.with(message: "request to \(target) timed out")
        case .cannotConnectToHost:
            return HTTPClientError.connectionRefused.with(message: "connection to \(target) was refused")
        case .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet, .internationalRoamingOff:
            return HTTPClientError.cannotConnect.with(message: "cannot reach \(target)")
        case .networkConnectionLost:
            return HTTPClientError.connectionLost.with(message: "connection to \(target) was lost")
        case .badServerResponse:
            // What URLSession reports when the server closes the connection without a
            // (complete) response: a lost connection, worth retrying.
            return HTTPClientError.connectionLost.with(message: "\(target) closed the connection without a complete response")
        case .cancelled:
            return HTTPClientError.cancelled.with(message: "request to \(target) was cancelled")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            return HTTPClientError.tls.with(message: "TLS with \(target) failed")
        case .dataLengthExceedsMaximum:
            return HTTPClientError.responseTooLarge.with(message: "response from \(target) is too large")
        default:
            return HTTPClientError.other.with(message: "request to \(target) failed (URLError \(urlError.code.rawValue))")
        }
    }
}

/// Declines redirects for tasks marked not to follow, so the 3xx itself is returned.
private final class RedirectDelegate: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    static let follow = "follow-redirects"
    static let doNotFollow = "no-redirects"

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(task.taskDescription == Self.follow ? request : nil)
    }
}

/// One exchange's state: the caller's continuation, resumed exactly once, and the data
/// task, cancelled when the exchange ends without its response.
private final class Exchange: @unchecked Sendable {
    // @unchecked: every field is read and written under `lock`.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<HTTPResponse, any Error>?
    private var task: URLSessionTask?
    private var outcome: Result<HTTPResponse, any Error>?

    func start(_ continuation: CheckedContinuation<HTTPResponse, any Error>) {
        lock.lock()
        if let outcome {
            // Cancelled before the continuation existed.
            lock.unlock()
            continuation.resume(with: outcome)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    func attach(_ task: URLSessionTask) {
        lock.lock()
        let finished = outcome != nil
        self.task = task
        lock.unlock()
        if finished { task.cancel() }
    }

    /// The first outcome wins; later ones are ignored.
    func finish(with result: Result<HTTPResponse, any Error>) {
        lock.lock()
        guard outcome == nil else {
            lock.unlock()
            return
        }
        outcome = result
        let continuation = self.continuation
        self.continuation = nil
        let task = self.task
        lock.unlock()
        continuation?.resume(with: result)
        if case .failure = result { task?.cancel() }
    }
}

extension Duration {
    /// The duration in seconds, as a double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
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
