import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One request's state inside ``FoundationHTTPClient``: the caller's continuation, resumed
/// exactly once, the data task, and the body as it arrives, counted against the limit so
/// that an oversized body is refused while it streams in rather than after it is held.
final class URLSessionExchange: @unchecked Sendable {
    // @unchecked: every mutable field is read and written under `lock`.
    private let lock = NSLock()
    private let limit: Int
    private let target: String
    private let isHead: Bool
    private var continuation: CheckedContinuation<HTTPResponse, any Error>?
    private var task: URLSessionTask?
    private var outcome: Result<HTTPResponse, any Error>?
    private var body = Data()

    /// An exchange refusing bodies over `limit` bytes; `target` names the server in
    /// messages; `isHead` for a HEAD request, whose response has no body.
    init(limit: Int, target: String, isHead: Bool) {
        self.limit = limit
        self.target = target
        self.isHead = isHead
    }

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

    /// The response head arrived: a declared `Content-Length` over the limit ends the
    /// exchange before any body byte is read. Responses without a body (to HEAD; 1xx,
    /// 204, 304) may declare the length of the body a GET would get (RFC 9110 section
    /// 8.6), so theirs is not a claim about what arrives.
    /// - Returns: false when the transfer should stop.
    func receive(_ response: URLResponse) -> Bool {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 200
        let hasBody = !isHead && status >= 200 && status != 204 && status != 304
        let declared = response.expectedContentLength
        guard hasBody, declared > Int64(limit) else { return !isFinished }
        finish(with: .failure(tooLarge("declares \(declared) bytes, more than")))
        return false
    }

    /// A piece of the body arrived (after any content decoding, so a decompression bomb is
    /// counted at its expanded size): past the limit, the exchange ends and the transfer
    /// is cancelled; nothing more is kept.
    func receive(_ data: Data) {
        lock.lock()
        guard outcome == nil else {
            lock.unlock()
            return
        }
        guard body.count + data.count <= limit else {
            lock.unlock()
            finish(with: .failure(tooLarge("is larger than")))
            return
        }
        body.append(data)
        lock.unlock()
    }

    /// The transfer ended; `error` is nil when the whole body arrived.
    func complete(response: URLResponse?, error: (any Error)?) {
        if let error {
            finish(with: .failure(FoundationHTTPClient.map(error, target: target)))
            return
        }
        guard let http = response as? HTTPURLResponse else {
            finish(with: .failure(HTTPClientError.other.with(message: "the response from \(target) was not HTTP")))
            return
        }
        var headers = HTTPHeaders()
        for (name, value) in http.allHeaderFields {
            headers.add(name: String(describing: name), value: String(describing: value))
        }
        let body = lock.withLock { self.body }
        finish(with: .success(HTTPResponse(status: http.statusCode, headers: headers, body: body, url: http.url)))
    }

    /// The first outcome wins; later ones are ignored. A failure cancels the transfer.
    func finish(with result: Result<HTTPResponse, any Error>) {
        lock.lock()
        guard outcome == nil else {
            lock.unlock()
            return
        }
        outcome = result
        body = Data()
        let continuation = self.continuation
        self.continuation = nil
        let task = self.task
        lock.unlock()
        continuation?.resume(with: result)
        if case .failure = result { task?.cancel() }
    }

    private var isFinished: Bool { lock.withLock { outcome != nil } }

    private func tooLarge(_ detail: String) -> HTTPClientError {
        HTTPClientError.responseTooLarge.with(
            message: "the response body from \(target) \(detail) the limit of \(limit) bytes")
    }
}
