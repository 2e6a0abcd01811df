/// One SMTP reply (RFC 5321 section 4.2): a three-digit code and one or more lines of text,
/// the enhanced status code (RFC 3463) read from the first line when it has one.
///
/// The one reply type of the package: what the client reads, what the server session
/// sends, and what AliasStore's `Rejection` gives for a refused recipient.
public struct SMTPReply: Hashable, Sendable, CustomStringConvertible {
    /// The reply code, 200...559 (first digit 2 to 5, second 0 to 5).
    public let code: Int
    /// The text of each line, without the code, the separator and the line break. The
    /// enhanced status code, if any, stays at the start of the text.
    public let lines: [String]
    /// The enhanced status code at the start of the first line, when it has one whose class
    /// matches the reply code's first digit (RFC 2034 section 4).
    public let enhancedStatusCode: SMTPEnhancedStatusCode?

    /// A reply with `code` and `lines` (at least one, which may be empty).
    /// - Precondition: `code` is a valid reply code (``isValidCode(_:)``).
    public init(code: Int, lines: [String]) {
        precondition(Self.isValidCode(code), "not an SMTP reply code")
        self.code = code
        self.lines = lines.isEmpty ? [""] : lines
        let status = SMTPEnhancedStatusCode(leadingIn: Substring(self.lines[0]))
        enhancedStatusCode = status?.statusClass == code / 100 ? status : nil
    }

    /// A single-line reply.
    public init(_ code: Int, _ text: String) { self.init(code: code, lines: [text]) }

    /// A single-line reply that starts with `enhancedStatusCode` (RFC 2034 section 4), then
    /// `text`: `SMTPReply(code: 550, enhancedStatusCode: "5.1.1", text: "No such user here")`
    /// is `550 5.1.1 No such user here`.
    /// - Precondition: `code` is a valid reply code and `enhancedStatusCode` is one whose
    ///   class is `code`'s first digit.
    public init(code: Int, enhancedStatusCode: SMTPEnhancedStatusCode, text: String) {
        precondition(enhancedStatusCode.statusClass == code / 100, "the enhanced status code's class differs from the reply code's")
        self.init(code: code, lines: ["\(enhancedStatusCode) \(text)"])
    }

    /// Whether `code` can be an SMTP reply code: first digit 2...5, second 0...5
    /// (RFC 5321 section 4.2).
    public static func isValidCode(_ code: Int) -> Bool { (200...559).contains(code) && (code / 10) % 10 <= 5 }

    /// 2xx: the command was accepted (3xx asks for more; see ``isIntermediate``).
    public var isPositive: Bool { code / 100 == 2 }
    /// 3xx: go on (354 after DATA, 334 during AUTH).
    public var isIntermediate: Bool { code / 100 == 3 }
    /// 4xx: refused for now, try later.
    public var isTransientFailure: Bool { code / 100 == 4 }
    /// 5xx: refused for good.
    public var isPermanentFailure: Bool { code / 100 == 5 }

    /// The text of all lines joined by spaces, without the enhanced status code at the
    /// start of the first: `No such user here` for `550 5.1.1 No such user here`.
    public var text: String {
        var first = Substring(lines[0])
        if enhancedStatusCode != nil {
            // The code is the first line's first word (however its numbers were padded).
            first = first.drop { $0 != " " }.drop { $0 == " " }
        }
        return ([String(first)] + lines.dropFirst()).joined(separator: " ")
    }

    /// The reply as sent, lines separated by line feeds: `550 5.1.1 No such user here`.
    /// A server's text may repeat the address it refused: errors and logs take
    /// ``summary`` instead.
    public var description: String {
        lines.enumerated().map { index, line in
            let separator = index == lines.count - 1 ? " " : "-"
            return "\(code)\(separator)" + String(line.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 })
        }.joined(separator: "\n")
    }

    /// The code and the enhanced status code only (`"550 5.1.1"`): what may go into an error
    /// or a log, because a server's text often repeats the address it refused.
    public var summary: String { enhancedStatusCode.map { "\(code) \($0)" } ?? "\(code)" }

    /// The reply as a server sends it: `code-text` lines and a last `code text` line, each
    /// ending in CRLF. Line breaks inside the text are replaced by spaces.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        for (index, line) in lines.enumerated() {
            let separator = index == lines.count - 1 ? " " : "-"
            bytes += Array("\(code)\(separator)".utf8)
            bytes += line.utf8.map { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") ? UInt8(ascii: " ") : $0 }
            bytes += [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        }
        return bytes
    }
}
