public import CommunityMailMessage

extension AuthenticationResults {
    /// Bounds on what ``init(parsing:limits:)`` reads from another server's field.
    public struct Limits: Sendable, Hashable {
        /// The longest value read, in bytes. Default: 65,536.
        public var maximumLength = 65_536
        /// The deepest comment nesting. Default: 8.
        public var maximumCommentDepth = 8
        /// The most method results in one field. Default: 256.
        public var maximumResults = 256
        /// The most properties in one result. Default: 64.
        public var maximumPropertiesPerResult = 64
        /// The defaults above.
        public init() {}
    }

    /// Parses the value of an Authentication-Results field (what follows the colon; folding
    /// line breaks may stay).
    /// - Throws: ``MailAuthError/invalidRecord`` when it does not follow RFC 8601's
    ///   grammar, ``MailAuthError/limitExceeded`` past `limits`.
    public init(parsing value: String, limits: Limits = Limits()) throws(MailAuthError) {
        try self.init(parsing: Array(value.utf8), limits: limits)
    }

    /// Parses the value of an Authentication-Results field given as bytes.
    /// - Throws: see ``init(parsing:limits:)-(String,_)``.
    public init(parsing value: [UInt8], limits: Limits = Limits()) throws(MailAuthError) {
        guard value.count <= limits.maximumLength else {
            throw MailAuthError.limitExceeded.with(message: "the Authentication-Results value is longer than \(limits.maximumLength) bytes")
        }
        var parser = AuthenticationResultsParser(value, limits: limits)
        self = try parser.parse()
    }

    /// Parses a header field, which must be named Authentication-Results.
    /// - Throws: ``MailAuthError/invalidArgument`` for another field, and the errors of
    ///   ``init(parsing:limits:)-(String,_)``.
    public init(field: HeaderField, limits: Limits = Limits()) throws(MailAuthError) {
        guard field.lowercasedName == Self.fieldName.lowercased() else {
            throw MailAuthError.invalidArgument.with(message: "the field is not an Authentication-Results field")
        }
        try self.init(parsing: Array(field.rawValue), limits: limits)
    }

    /// The authserv-id of a field value, read without parsing the rest; nil when even that
    /// cannot be read.
    public static func authservID(ofValue value: [UInt8], limits: Limits = Limits()) -> String? {
        var parser = AuthenticationResultsParser(Array(value.prefix(limits.maximumLength)), limits: limits)
        return try? parser.parseAuthservID()
    }
}
