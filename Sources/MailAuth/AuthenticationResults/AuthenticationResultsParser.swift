/// Reads an Authentication-Results value (RFC 8601 section 2.2) byte by byte: CFWS with
/// nested comments, quoted strings, the `none` form, versions, unknown methods and
/// property types kept. Bounded: input length, comment depth, result and property counts
/// are limited, and every step consumes input, so time is linear in the input.
struct AuthenticationResultsParser {
    private let bytes: [UInt8]
    private let limits: AuthenticationResults.Limits
    private var index = 0

    init(_ bytes: [UInt8], limits: AuthenticationResults.Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func parse() throws(MailAuthError) -> AuthenticationResults {
        _ = try skipCFWS()
        guard let authservID = try readValue() else { throw Self.invalid("no authserv-id") }
        _ = try skipCFWS()
        var version: Int?
        if let byte = peek, Self.isDigit(byte) {
            version = try readNumber()
            _ = try skipCFWS()
        }
        var results: [AuthenticationResults.MethodResult] = []
        var sawNone = false
        while let byte = peek {
            guard byte == UInt8(ascii: ";") else { throw Self.invalid("expected ';' after the authserv-id or a result") }
            guard !sawNone else { throw Self.invalid("'none' must stand alone") }
            index += 1
            _ = try skipCFWS()
            guard peek != nil else { break }  // a trailing ';' is tolerated
            let method = try readKeyword(what: "method").lowercased()
            _ = try skipCFWS()
            if method == "none", results.isEmpty, peek == nil {
                sawNone = true
                continue
            }
            guard results.count < limits.maximumResults else {
                throw MailAuthError.limitExceeded.with(message: "the Authentication-Results field has more than \(limits.maximumResults) results")
            }
            results.append(try readResult(method: method))
        }
        return AuthenticationResults(authservID: authservID, version: version, results: results)
    }

    /// Just the authserv-id, for telling our own fields from others' cheaply.
    mutating func parseAuthservID() throws(MailAuthError) -> String {
        _ = try skipCFWS()
        guard let authservID = try readValue() else { throw Self.invalid("no authserv-id") }
        return authservID
    }

    /// `methodspec [CFWS reasonspec] [CFWS 1*propspec]`, after the method keyword.
    private mutating func readResult(method: String) throws(MailAuthError) -> AuthenticationResults.MethodResult {
        var methodVersion: Int?
        if peek == UInt8(ascii: "/") {
            index += 1
            _ = try skipCFWS()
            methodVersion = try readNumber()
            _ = try skipCFWS()
        }
        try expect("=", what: "'=' after the method")
        _ = try skipCFWS()
        let resultWord = try readKeyword(what: "result").lowercased()
        let comment = try skipCFWS()
        var result = AuthenticationResults.MethodResult(method: method, methodVersion: methodVersion, result: resultWord, comment: comment)
        while let byte = peek, byte != UInt8(ascii: ";") {
            let word = try readKeyword(what: "property type")
            _ = try skipCFWS()
            if word.lowercased() == "reason", peek == UInt8(ascii: "=") {
                index += 1
                _ = try skipCFWS()
                guard let reason = try readValue() else { throw Self.invalid("reason has no value") }
                result.reason = reason
                _ = try skipCFWS()
                continue
            }
            try expect(".", what: "'.' in a property")
            _ = try skipCFWS()
            let name = try readKeyword(what: "property name")
            _ = try skipCFWS()
            try expect("=", what: "'=' in a property")
            _ = try skipCFWS()
            let value = try readPropertyValue()
            guard result.properties.count < limits.maximumPropertiesPerResult else {
                throw MailAuthError.limitExceeded.with(message: "a result has more than \(limits.maximumPropertiesPerResult) properties")
            }
            result.properties.append(AuthenticationResults.Property(type: word.lowercased(), name: name, value: value))
            _ = try skipCFWS()
        }
        return result
    }

    // MARK: Lexical pieces

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func expect(_ character: Unicode.Scalar, what: String) throws(MailAuthError) {
        guard peek == UInt8(ascii: character) else { throw Self.invalid("expected \(what)") }
        index += 1
    }

    /// Skips folding white space and comments; returns the text of the last top-level
    /// comment skipped (nil when none).
    private mutating func skipCFWS() throws(MailAuthError) -> String? {
        var lastComment: String?
        while let byte = peek {
            if Self.isWhitespace(byte) {
                index += 1
            } else if byte == UInt8(ascii: "(") {
                lastComment = try readComment()
            } else {
                break
            }
        }
        return lastComment
    }

    /// A comment, nested ones included (their parentheses kept in the text).
    private mutating func readComment() throws(MailAuthError) -> String {
        var depth = 0
        var text: [UInt8] = []
        while let byte = peek {
            index += 1
            switch byte {
            case UInt8(ascii: "("):
                depth += 1
                guard depth <= limits.maximumCommentDepth else {
                    throw MailAuthError.limitExceeded.with(message: "comments nest deeper than \(limits.maximumCommentDepth)")
                }
                if depth > 1 { text.append(byte) }
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return String(decoding: text, as: UTF8.self) }
                text.append(byte)
            case UInt8(ascii: "\\"):
                guard let next = peek else { throw Self.invalid("a comment ends in a backslash") }
                index += 1
                text.append(next)
            default:
                text.append(Self.isWhitespace(byte) ? UInt8(ascii: " ") : byte)
            }
        }
        throw Self.invalid("a comment is not closed")
    }

    /// A `value`: a token or a quoted string; nil when neither starts here.
    private mutating func readValue() throws(MailAuthError) -> String? {
        if peek == UInt8(ascii: "\"") { return try readQuotedString() }
        let start = index
        while let byte = peek, Self.isTokenByte(byte) { index += 1 }
        return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
    }

    private mutating func readQuotedString() throws(MailAuthError) -> String {
        index += 1
        var text: [UInt8] = []
        while let byte = peek {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let next = peek else { throw Self.invalid("a quoted string ends in a backslash") }
                index += 1
                text.append(next)
            case 0x0d, 0x0a:
                continue  // folding inside a quoted string: the line break is not content
            default:
                text.append(byte)
            }
        }
        throw Self.invalid("a quoted string is not closed")
    }

    /// A property value: a quoted string, or everything up to white space, `;` or `(`
    /// (tokens, `[local-part]@domain`, domain names, base64 with `/+=`).
    private mutating func readPropertyValue() throws(MailAuthError) -> String {
        if peek == UInt8(ascii: "\"") { return try readQuotedString() }
        let start = index
        while let byte = peek, !Self.isWhitespace(byte), byte != UInt8(ascii: ";"), byte != UInt8(ascii: "("),
            byte != UInt8(ascii: "\""), byte != UInt8(ascii: ")")
        {
            index += 1
        }
        // An empty value is allowed (`smtp.mailfrom=` for a null reverse path).
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// A keyword: letters, digits, `-` and `_` (RFC 5321's Keyword, `_` tolerated).
    private mutating func readKeyword(what: String) throws(MailAuthError) -> String {
        let start = index
        while let byte = peek, Self.isKeywordByte(byte) { index += 1 }
        guard index > start else { throw Self.invalid("expected a \(what)") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func readNumber() throws(MailAuthError) -> Int {
        let start = index
        while let byte = peek, Self.isDigit(byte) { index += 1 }
        guard index > start, index - start <= 9, let number = Int(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            throw Self.invalid("expected a version number")
        }
        return number
    }

    private static func invalid(_ what: String) -> MailAuthError {
        MailAuthError.invalidRecord.with(message: "Authentication-Results: \(what)")
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0d || byte == 0x0a }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isKeywordByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7a) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    /// RFC 2045 token bytes, and UTF-8 bytes (RFC 8601 allows UTF-8 through RFC 6532).
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        if byte >= 0x80 { return true }
        return AuthenticationResults.isTokenScalar(Unicode.Scalar(byte))
    }
}
