import Foundation

/// The messages the POP3 interop tests put in both our mailbox and Dovecot's Maildir:
/// CRLF and bare-LF lines, lines starting with dots, a line of one dot, 8-bit bytes, a
/// message without a final line end, long lines, an empty body.
enum POP3TestMessages {
    static let all: [[UInt8]] = [
        Array("From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: first\r\nMessage-ID: <1@example.org>\r\n\r\nHello Bob,\r\n.\r\n..two\r\n.three\r\nbye\r\n".utf8),
        Array("From: carol@example.org\nSubject: bare LF lines\n\nline one\nline two\n.leading dot\nline four\nline five\n".utf8),
        Array("Subject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln — ünïcødé\r\n".utf8),
        Array("Subject: no final line end\r\n\r\nlast line has no CRLF".utf8),
        Array(("Subject: long lines\r\nX-Long: " + String(repeating: "y", count: 900) + "\r\n\r\n"
            + (0..<50).map { "body line \($0) " + String(repeating: "z", count: $0 * 20) }.joined(separator: "\r\n") + "\r\n").utf8),
        Array("Subject: empty body\r\nFrom: dave@example.org\r\n\r\n".utf8),
    ]

    /// Messages with mixed line ends, for the side-by-side comparisons: CRLF and bare-LF
    /// lines in one message (the header's blank line an LF then a CRLF), a bare CR inside a
    /// line (no line end: Dovecot sends it as it is), a CR-CR-LF line end, dot lines after
    /// bare LFs.
    static let lineEndings: [[UInt8]] = [
        Array("Subject: mixed line ends\r\nFrom: erin@example.org\n\r\nline1\nline2\r\nline3\rline4\r\r\n.dot after LF\n.\nend\n".utf8),
        Array("Subject: bare CR\rX-Folded: a\r\n b\n\nbody\rmore\r\n..two dots\nlast".utf8),
    ]

    /// `content` with every line ended by CRLF (what a POP3 client receives), split into
    /// lines as poplib returns them (dot-unstuffed, without line ends).
    static func lines(of content: [UInt8]) -> [String] {
        var text = String(decoding: content, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        if text.hasSuffix("\n") { text.removeLast() }
        // poplib returns bytes decoded as latin-1 by the script: compare in the same form.
        let latin1 = String(decoding: Array(text.utf8).map { UInt16($0) }, as: UTF16.self)
        return latin1.components(separatedBy: "\n")
    }
}
