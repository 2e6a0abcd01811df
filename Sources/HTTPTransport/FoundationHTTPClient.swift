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

        let limit = configuration.maximumResponseBodySize
        let session = self.session
        let finalRequest = urlRequest
        return try await withThrowingTaskGroup(of: HTTPResponse.self) { group in
            group.addTask {
                try await Self.send(finalRequest, follow: request.followsRedirects, session: session, limit: limit)
            }
            group.addTask {
                try await Task.sleep(for: request.timeout)
                throw HTTPClientError.timeout.with(
                    message: "no complete response from \(request.url.redactedForLogs) within \(request.timeout)")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw HTTPClientError.cancelled }
            return first
        }
    }

    private static func send(
        _ urlRequest: URLRequest, follow: Bool, session: URLSession, limit: Int
    ) async throws -> HTTPResponse {
        let box = TaskBox()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                let task = session.dataTask(with: urlRequest) { data, response, error in
                    if let error {
                        continuation.resume(throwing: map(error, url: urlRequest.url))
                        return
                    }
                    guard let http = response as? HTTPURLResponse else {
                        continuation.resume(throwing: HTTPClientError.other.with(message: "the response was not HTTP"))
                        return
                    }
                    let body = data ?? Data()
                    guard body.count <= limit else {
                        continuation.resume(
                            throwing: HTTPClientError.responseTooLarge.with(
                                message: "response body of \(body.count) bytes exceeds the limit of \(limit)"))
                        return
                    }
                    var headers = HTTPHeaders()
                    for (name, value) in http.allHeaderFields {
                        headers.add(name: String(describing: name), value: String(describing: value))
                    }
                    continuation.resume(
                        returning: HTTPResponse(status: http.statusCode, headers: headers, body: body, url: http.url))
                }
                task.taskDescription = follow ? RedirectDelegate.follow : RedirectDelegate.doNotFollow
                box.set(task)
                task.resume()
            }
        } onCancel: {
            box.cancel()
        }
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

/// Holds the URLSession task so that Swift task cancellation can cancel it.
private final class TaskBox: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionTask?
    private var cancelled = false

    func set(_ task: URLSessionTask) {
        lock.lock()
        self.task = task
        let cancelNow = cancelled
        lock.unlock()
        if cancelNow { task.cancel() }
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let task = self.task
        lock.unlock()
        task?.cancel()
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
