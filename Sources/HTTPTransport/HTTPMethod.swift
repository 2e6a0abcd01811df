/// An HTTP request method.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The method token, e.g. `GET`.
    public let rawValue: String

    /// A method from its token.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A method from a literal token.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// GET.
    public static let get: HTTPMethod = "GET"
    /// HEAD.
    public static let head: HTTPMethod = "HEAD"
    /// POST.
    public static let post: HTTPMethod = "POST"
    /// PUT.
    public static let put: HTTPMethod = "PUT"
    /// PATCH.
    public static let patch: HTTPMethod = "PATCH"
    /// DELETE.
    public static let delete: HTTPMethod = "DELETE"
    /// OPTIONS.
    public static let options: HTTPMethod = "OPTIONS"

    /// True for methods that RFC 9110 section 9.2.2 calls idempotent, which are safe to retry.
    public var isIdempotent: Bool {
        ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"].contains(rawValue)
    }

    /// The token.
    public var description: String { rawValue }
}
