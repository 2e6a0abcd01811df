/// One POP3 reply: a status line (`+OK` or `-ERR`, an optional response code and a text)
/// and, for multi-line replies, data lines ended by a line holding one `.` (RFC 1939
/// section 3). Data lines are byte-stuffed when encoded.
public struct POP3Reply: Sendable, Hashable {
    /// True for `+OK`, false for `-ERR`.
    public var isPositive: Bool
    /// The bracketed response code after `-ERR` (RFC 2449 section 8), if any.
    public var code: POP3ResponseCode?
    /// The text after the status (and code); may be empty. Must not contain CR or LF.
    public var text: String
    /// The data lines of a multi-line reply (without line ends); nil for a single line.
    public var lines: [String]?

    /// A reply from its parts.
    public init(isPositive: Bool, code: POP3ResponseCode? = nil, text: String, lines: [String]? = nil) {
        self.isPositive = isPositive
        self.code = code
        self.text = text
        self.lines = lines
    }

    /// `+OK text`, with `lines` for a multi-line reply.
    public static func ok(_ text: String, lines: [String]? = nil) -> POP3Reply { POP3Reply(isPositive: true, text: text, lines: lines) }

    /// `-ERR [code] text`.
    public static func error(_ text: String, code: POP3ResponseCode? = nil) -> POP3Reply {
        POP3Reply(isPositive: false, code: code, text: text)
    }

    /// The reply's bytes: the status line, then the stuffed data lines and `.` when
    /// multi-line, each line ended by CRLF.
    public var encoded: [UInt8] {
        var status = isPositive ? "+OK" : "-ERR"
        if let code { status += " [\(code.rawValue)]" }
        if !text.isEmpty { status += " \(text)" }
        var bytes = Array(status.utf8) + [13, 10]
        if let lines {
            for line in lines {
                if line.hasPrefix(".") { bytes.append(46) }
                bytes += Array(line.utf8) + [13, 10]
            }
            bytes += [46, 13, 10]
        }
        return bytes
    }
}
