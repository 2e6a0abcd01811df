import MailAccess
import Testing

/// RFC 1939's data transparency: CRLF lines, byte-stuffing, the terminator, TOP.
@Suite struct POP3MessageEncoderTests {
    func encode(_ text: String, lines: Int? = nil) -> String {
        String(decoding: POP3MessageEncoder.encode(Array(text.utf8), bodyLines: lines), as: UTF8.self)
    }

    @Test func lineEndsAndStuffing() {
        #expect(encode("a\r\n.b\r\n..c\r\n.\r\n") == "a\r\n..b\r\n...c\r\n..\r\n.\r\n")
        // A bare LF ends a line; a bare CR does not and goes out as it is (as Dovecot's pop3).
        #expect(encode("a\nb\rc") == "a\r\nb\rc\r\n.\r\n")
        #expect(encode("a\r\r\n.b\r") == "a\r\r\n..b\r\r\n.\r\n")
        #expect(encode("") == ".\r\n")
        #expect(encode("x.y\r\n") == "x.y\r\n.\r\n")
    }

    @Test func normalizedSizeCountsWhatIsSent() {
        for text in ["a\r\nb\r\n", "a\nb\n", "a\rb", "", "x", "\r\n\n\r"] {
            let sent = encode(text)
            // Without the terminator and the stuffing (none here), and without the CRLF added
            // to an unterminated last line.
            let unterminated = !(text.utf8.last == 10 || text.isEmpty)
            #expect(POP3MessageEncoder.normalizedSize(of: Array(text.utf8)) == sent.utf8.count - 3 - (unterminated ? 2 : 0))
        }
    }

    @Test func topCountsBodyLines() {
        let message = "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n"
        #expect(encode(message, lines: 0) == "A: 1\r\nB: 2\r\n\r\n.\r\n")
        #expect(encode(message, lines: 2) == "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n.\r\n")
        #expect(encode(message, lines: 10) == message + ".\r\n")
        // No body at all: the header alone.
        #expect(encode("A: 1\r\n", lines: 3) == "A: 1\r\n.\r\n")
    }
}
