public import Foundation

/// An HTTP response: status, headers and the whole body.
public struct HTTPResponse: Sendable, Hashable {
    /// The status code, e.g. 200.
    public var status: Int
    /// Header fields.
    public var headers: HTTPHeaders
    /// The body (empty when there was none).
    public var body: Data
    /// The URL that answered (after redirects, when they were followed).
    public var url: URL?

    /// A response.
    public init(status: Int, headers: HTTPHeaders = [:], body: Data = Data(), url: URL? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    /// The body size limit ``FoundationHTTPClient`` and ``ScriptedHTTPClient`` apply by
    /// default: 16 MiB.
    public static let defaultMaximumBodySize = 16 << 20

    /// True for 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
