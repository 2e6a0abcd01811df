/// An Authentication-Results header field (RFC 8601): which server checked the message
/// (the authserv-id) and what each method (SPF, DKIM, DMARC, ARC, …) found.
///
/// Write ours with ``fieldText()`` / ``fieldBytes()``; read others' with
/// ``init(parsing:limits:)``. An empty ``results`` list is the `none` form ("no
/// method was applied").
public struct AuthenticationResults: Sendable, Hashable {
    /// One property of a result (`smtp.mailfrom=example.org`, `header.d=example.org`).
    public struct Property: Sendable, Hashable {
        /// The property type (`smtp`, `header`, `body`, `policy`), lowercase.
        public var type: String
        /// The property name (`mailfrom`, `d`, `b`), as written.
        public var name: String
        /// The value, unquoted.
        public var value: String

        /// A property from its parts.
        public init(type: String, name: String, value: String) {
            self.type = type
            self.name = name
            self.value = value
        }
    }

    /// What one method found (`dkim=pass header.d=example.org`).
    public struct MethodResult: Sendable, Hashable {
        /// The method (`spf`, `dkim`, `dmarc`, `arc`, or one unknown to us: kept), lowercase.
        public var method: String
        /// The method's version (`dkim/1`), when written.
        public var methodVersion: Int?
        /// The result keyword (`pass`, `fail`, `none`, `temperror`, …), lowercase.
        public var result: String
        /// The `reason=` text, unquoted, when given.
        public var reason: String?
        /// The properties, in order.
        public var properties: [Property]
        /// A comment written after the result (`(p=reject dis=none)`); our writer puts it
        /// after `method=result`. Parsing keeps the first comment that directly follows
        /// the result. It must not hold an address or secret.
        public var comment: String?

        /// A result from its parts.
        public init(method: String, methodVersion: Int? = nil, result: String, reason: String? = nil,
                    properties: [Property] = [], comment: String? = nil) {
            self.method = method
            self.methodVersion = methodVersion
            self.result = result
            self.reason = reason
            self.properties = properties
            self.comment = comment
        }

        /// The value of the first property `type.name` (case-insensitive), if any.
        public func property(_ type: String, _ name: String) -> String? {
            properties.first { $0.type.lowercased() == type.lowercased() && $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// The authserv-id: the name of the server that did the checks (usually its host name).
    public var authservID: String
    /// The version after the authserv-id, when written (RFC 8601 defines only 1).
    public var version: Int?
    /// The method results, in order; empty for `none`.
    public var results: [MethodResult]

    /// A field from its parts.
    public init(authservID: String, version: Int? = nil, results: [MethodResult]) {
        self.authservID = authservID
        self.version = version
        self.results = results
    }

    /// The field name, as written.
    public static let fieldName = "Authentication-Results"
}
