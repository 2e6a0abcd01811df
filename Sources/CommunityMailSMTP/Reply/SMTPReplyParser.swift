/// Reads SMTP replies (RFC 5321 section 4.2) out of the bytes a server sends: lines of
/// `code-text` continued by a last `code text`, every line with the same code.
///
/// Lines end in CRLF; a bare LF is taken as a line end too (being lenient with what a
/// server sends costs nothing here). Anything else, a line longer than the limit, or a
/// reply with more lines than the limit is a ``SMTPError/malformedReply``: a server, or
/// whoever sits before STARTTLS, cannot make the client buffer without bound.
public struct SMTPReplyParser: Sendable {
    /// How much a server may send.
    public struct Limits: Sendable, Hashable {
        /// The longest reply line in octets, CRLF included. Default: 1000. RFC 5321 section
        /// 4.5.3.1.5 says 512, but servers exceed it with long texts; 1000 is the text line
        /// limit of section 4.5.3.1.6.
        public var maximumLineLength: Int = 1000
        /// The most lines one reply may have. Default: 128 (an EHLO reply lists a dozen
        /// extensions).
        public var maximumLines: Int = 128

        /// The defaults above.
        public init() {}
    }

    /// The limits in force.
    public let limits: Limits
    private var buffer: [UInt8] = []
    private var code: Int?
    private var lines: [String] = []

    /// A parser with `limits`.
    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Adds bytes the server sent.
    public mutating func append(_ bytes: [UInt8]) { buffer += bytes }

    /// Drops everything received and not yet parsed, and any reply begun: after the `220`
    /// to STARTTLS, bytes that came in plaintext must not be read as the TLS session's
    /// (RFC 3207 section 4.2).
    public mutating func discardBuffered() {
        buffer.removeAll()
        code = nil
        lines.removeAll()
    }

    /// Whether bytes are waiting that are not yet a complete reply.
    public var hasBufferedBytes: Bool { !buffer.isEmpty || code != nil }

    /// The next complete reply, or nil when more bytes are needed.
    /// - Throws: ``SMTPError/malformedReply`` for a line that is not a reply line, a code
    ///   that changes inside a reply, or a line or reply over the limits.
    public mutating func nextReply() throws(SMTPError) -> SMTPReply? {
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            guard newline + 1 <= limits.maximumLineLength else { throw Self.tooLong(limits) }
            var end = newline
            if end > 0, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = Array(buffer[..<end])
            buffer.removeSubrange(...newline)
            if let reply = try take(line) { return reply }
        }
        // No line end yet: a line already past the limit will not become valid.
        guard buffer.count < limits.maximumLineLength else { throw Self.tooLong(limits) }
        return nil
    }

    private mutating func take(_ line: [UInt8]) throws(SMTPError) -> SMTPReply? {
        guard line.count >= 3, line[0...2].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw SMTPError.malformedReply.with(message: "the SMTP server sent a line that is not a reply")
        }
        let lineCode = line[0...2].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard SMTPReply.isValidCode(lineCode) else {
            throw SMTPError.malformedReply.with(message: "the SMTP server sent a reply code outside 200...559")
        }
        if let code, code != lineCode {
            throw SMTPError.malformedReply.with(message: "the SMTP server changed the code inside a multi-line reply")
        }
        let separator = line.count > 3 ? line[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw SMTPError.malformedReply.with(message: "the SMTP server sent a reply line without a separator after its code")
        }
        code = lineCode
        lines.append(String(decoding: line.dropFirst(4), as: UTF8.self))
        guard lines.count <= limits.maximumLines else {
            throw SMTPError.malformedReply.with(message: "the SMTP server sent a reply of more than \(limits.maximumLines) lines")
        }
        guard separator == UInt8(ascii: " ") else { return nil }
        let reply = SMTPReply(code: lineCode, lines: lines)
        code = nil
        lines.removeAll()
        return reply
    }

    private static func tooLong(_ limits: Limits) -> SMTPError {
        SMTPError.malformedReply.with(message: "the SMTP server sent a reply line longer than \(limits.maximumLineLength) octets")
    }
}
