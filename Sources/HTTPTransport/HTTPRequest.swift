public import Foundation

/// An HTTP request: method, URL, headers, body, and how long the whole exchange may take.
public struct HTTPRequest: Sendable, Hashable {
    /// The method. Default: GET.
    public var method: HTTPMethod
    /// The absolute `http` or `https` URL.
    public var url: URL
    /// Header fields.
    public var headers: HTTPHeaders
    /// The body, if any.
    public var body: Data?
    /// The deadline for the whole exchange, from sending to the last body byte.
    /// Default: 30 seconds.
    public var timeout: Duration
    /// Whether redirects (3xx with `Location`) are followed. Default: false, because
    /// protocols such as OpenID must see the redirect itself.
    public var followsRedirects: Bool

    /// A request.
    public init(
        method: HTTPMethod = .get, url: URL, headers: HTTPHeaders = [:], body: Data? = nil,
        timeout: Duration = .seconds(30), followsRedirects: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.followsRedirects = followsRedirects
    }

    /// A POST of `application/x-www-form-urlencoded` fields.
    public static func formPost(
        url: URL, fields: [(String, String)], headers: HTTPHeaders = [:], timeout: Duration = .seconds(30)
    ) -> HTTPRequest {
        var headers = headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return HTTPRequest(
            method: .post, url: url, headers: headers, body: Data(FormURLEncoding.encode(fields).utf8), timeout: timeout)
    }
}
