import CommunityMailMessage
import Foundation

extension SearchQuery {
    /// Parses the small text syntax the example CLI and admin tools use:
    ///
    /// - Terms next to each other are ANDed; `OR` between terms ORs them; `NOT term` or
    ///   `-term` negates; parentheses group.
    /// - `from:`, `to:`, `cc:`, `subject:`, `msgid:` (header substring), `header:Name:text`
    ///   (any header field), `body:` (words),
    ///   `text:`, `since:` / `before:` (internal date, `YYYY-MM-DD`, UTC), `sentsince:` /
    ///   `sentbefore:` (Date header), `larger:` / `smaller:` (bytes), `is:seen|unseen|answered|
    ///   flagged|deleted|draft` (and `un...` forms), `keyword:`, `uid:` (IMAP UID set),
    ///   `has:attachment`, `modseq:` (at least).
    /// - A value may be quoted: `subject:"quarterly report"`. A bare word is `text:`.
    ///
    /// Example: `from:alice (subject:report OR body:budget) -is:seen since:2026-01-01`.
    ///
    /// The text is at most ``maximumTextLength`` UTF-8 bytes, parentheses and `NOT`s nest at
    /// most ``maximumDepth`` deep, and the query keeps the limits of ``and(_:)``.
    /// - Throws: `MailboxError.invalidQuery` naming the problem.
    public init(parsing text: String) throws(MailboxError) {
        guard text.utf8.count <= Self.maximumTextLength else {
            throw MailboxError.invalidQuery.with(message: "the query is longer than \(Self.maximumTextLength) bytes")
        }
        var parser = QueryParser(tokens: try QueryParser.tokenize(text))
        let query = try parser.parseOr()
        if parser.position < parser.tokens.count {
            throw MailboxError.invalidQuery.with(message: "unexpected \"\(parser.tokens[parser.position].text)\"")
        }
        self = query
    }

    /// The longest query text ``init(parsing:)`` reads, in UTF-8 bytes.
    public static let maximumTextLength = 16_384
}

/// A recursive-descent parser over the tokens of the query syntax. It counts how deep it
/// has gone and stops at `SearchQuery.maximumDepth`, so hostile text cannot exhaust the stack.
private struct QueryParser {
    struct Token {
        var text: String
        var quoted: Bool
        var isOperator: Bool { !quoted && (text == "(" || text == ")" || text == "OR" || text == "NOT") }
    }

    let tokens: [Token]
    var position = 0
    /// Open parentheses and `NOT`s around the token being read.
    var depth = 0

    init(tokens: [Token]) { self.tokens = tokens }

    static func tokenize(_ text: String) throws(MailboxError) -> [Token] {
        var tokens: [Token] = []
        var current = ""
        var quoted = false
        var inQuotes = false
        var escaped = false
        func flush() {
            if !current.isEmpty || quoted { tokens.append(Token(text: current, quoted: quoted)) }
            current = ""
            quoted = false
        }
        for character in text {
            if inQuotes {
                if escaped {
                    current.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inQuotes = false
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                inQuotes = true
                // Only a token that starts quoted is a literal; `key:"a b"` stays a key.
                if current.isEmpty { quoted = true }
            } else if character.isWhitespace {
                flush()
            } else if character == "(" || character == ")" {
                flush()
                tokens.append(Token(text: String(character), quoted: false))
            } else {
                current.append(character)
            }
        }
        guard !inQuotes else { throw MailboxError.invalidQuery.with(message: "unterminated quotes") }
        flush()
        return tokens
    }

    mutating func parseOr() throws(MailboxError) -> SearchQuery {
        var alternatives = [try parseAnd()]
        while position < tokens.count, tokens[position].isOperator, tokens[position].text == "OR" {
            position += 1
            alternatives.append(try parseAnd())
        }
        return alternatives.count == 1 ? alternatives[0] : try .or(alternatives)
    }

    mutating func parseAnd() throws(MailboxError) -> SearchQuery {
        var terms: [SearchQuery] = []
        while position < tokens.count {
            let token = tokens[position]
            if token.isOperator && (token.text == ")" || token.text == "OR") { break }
            terms.append(try parseUnary())
        }
        guard !terms.isEmpty else { throw MailboxError.invalidQuery.with(message: "a term is missing") }
        return terms.count == 1 ? terms[0] : try .and(terms)
    }

    mutating func parseUnary() throws(MailboxError) -> SearchQuery {
        guard position < tokens.count else { throw MailboxError.invalidQuery.with(message: "a term is missing at the end") }
        let token = tokens[position]
        position += 1
        if token.isOperator {
            switch token.text {
            case "NOT":
                try enter()
                defer { depth -= 1 }
                return try .not(try parseUnary())
            case "(":
                try enter()
                defer { depth -= 1 }
                let inner = try parseOr()
                guard position < tokens.count, tokens[position].isOperator, tokens[position].text == ")" else {
                    throw MailboxError.invalidQuery.with(message: "a \")\" is missing")
                }
                position += 1
                return inner
            default:
                throw MailboxError.invalidQuery.with(message: "unexpected \"\(token.text)\"")
            }
        }
        if !token.quoted, token.text.hasPrefix("-"), token.text.count > 1 {
            return try .not(try Self.term(Token(text: String(token.text.dropFirst()), quoted: false)))
        }
        return try Self.term(token)
    }

    /// One level deeper, or `invalidQuery` past the limit a query may nest.
    mutating func enter() throws(MailboxError) {
        depth += 1
        guard depth < SearchQuery.maximumDepth else {
            throw MailboxError.invalidQuery.with(message: "the query nests deeper than \(SearchQuery.maximumDepth) levels")
        }
    }

    static func term(_ token: Token) throws(MailboxError) -> SearchQuery {
        guard !token.quoted, let colon = token.text.firstIndex(of: ":") else { return .text(token.text) }
        let key = token.text[..<colon].lowercased()
        let value = String(token.text[token.text.index(after: colon)...])
        guard !value.isEmpty else { throw MailboxError.invalidQuery.with(message: "\(key): needs a value") }
        if let field = SearchQuery.HeaderField(rawValue: key) { return .header(field, value) }
        switch key {
        case "body": return .body(value)
        case "header":
            guard let separator = value.firstIndex(of: ":"), separator != value.startIndex else {
                throw MailboxError.invalidQuery.with(message: "header: takes name:text, e.g. header:List-Id:ubuntu")
            }
            return .headerField(String(value[..<separator]), String(value[value.index(after: separator)...]))
        case "text": return .text(value)
        case "since": return .receivedSince(try date(value))
        case "before": return .receivedBefore(try date(value))
        case "sentsince": return .sentSince(try date(value))
        case "sentbefore": return .sentBefore(try date(value))
        case "larger": return .larger(try number(value))
        case "smaller": return .smaller(try number(value))
        case "keyword": return .keyword(value)
        case "uid":
            do { return .uids(try UIDSet(parsing: value)) } catch { throw MailboxError.invalidQuery.with(message: error.message) }
        case "modseq": return .modSeqAtLeast(UInt64(try number(value)))
        case "has":
            guard value.lowercased() == "attachment" else { throw MailboxError.invalidQuery.with(message: "has: knows only \"attachment\"") }
            return .hasAttachment
        case "is":
            let name = value.lowercased()
            let negated = name.hasPrefix("un")
            guard let flag = MessageFlags(imapName: "\\" + (negated ? String(name.dropFirst(2)) : name)) else {
                throw MailboxError.invalidQuery.with(message: "is: knows seen, answered, flagged, deleted, draft and their un- forms")
            }
            return negated ? try .not(.flags(flag)) : .flags(flag)
        default:
            throw MailboxError.invalidQuery.with(message: "unknown search key \"\(key)\"")
        }
    }

    static func number(_ text: String) throws(MailboxError) -> Int {
        guard let value = Int(text), value >= 0 else { throw MailboxError.invalidQuery.with(message: "\"\(text)\" is not a number") }
        return value
    }

    static func date(_ text: String) throws(MailboxError) -> Date {
        let parts = text.split(separator: "-").map { Int($0) }
        guard parts.count == 3, let year = parts[0], let month = parts[1], let day = parts[2],
            MailDateParser.validYears.contains(year), (1...12).contains(month), (1...31).contains(day)
        else { throw MailboxError.invalidQuery.with(message: "\"\(text)\" is not a YYYY-MM-DD date") }
        return Date(timeIntervalSince1970: TimeInterval(MailDateParser.daysFromCivil(year: year, month: month, day: day) * 86_400))
    }
}
