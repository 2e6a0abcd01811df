/// One SMTP reply (RFC 5321 section 4.2): a three-digit code and one or more lines of text,
/// the enhanced status code (RFC 3463) read from the first line when it has one.
public struct SMTPReply: Hashable, Sendable {
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
