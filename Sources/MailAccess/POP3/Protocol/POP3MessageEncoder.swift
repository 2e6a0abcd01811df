import EncryptedMailbox

/// Turns stored message bytes into what RETR and TOP send (RFC 1939 sections 7 and 11):
/// every line ended by CRLF (a bare LF in the store becomes CRLF; a bare CR is no line end
/// and goes out as it is, as Dovecot's pop3 sends it), a line starting with `.` gets one
/// more `.` (byte-stuffing), and a line holding one `.` ends the data. The maildrop's
/// sizes are the mailbox's sizes in RFC 5322 form (``MessageSize``), so LIST and STAT agree
/// with the octets RETR sends before stuffing, and with IMAP's RFC822.SIZE; except that a
/// message whose last line has no line end gets a CRLF after it, which LIST does not count
/// (as Dovecot's pop3 does).
public enum POP3MessageEncoder {
    /// The size of `content` once every line ends with CRLF (before byte-stuffing): what
    /// LIST and STAT report, ``MessageSize/inRFC5322Form(_:)-([UInt8])``.
    public static func normalizedSize(of content: [UInt8]) -> Int {
        MessageSize.inRFC5322Form(content)
    }

    /// The data of a RETR reply (or of TOP with `bodyLines`): the normalised, stuffed
    /// message followed by the terminating `.` line. With `bodyLines`, the header, the
    /// blank line after it and at most that many lines of the body.
    public static func encode(_ content: [UInt8], bodyLines: Int? = nil) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(content.count + content.count / 32 + 8)
        var lineStart = true
        var inBody = false
        var bodyLinesSent = 0
        var index = 0
        let count = content.count
        // Whether the current line (from its first byte) is empty: the blank line that ends the header.
        var lineIsEmpty = true
        while index < count {
            if let bodyLines, inBody, lineStart, bodyLinesSent >= bodyLines { break }
            let byte = content[index]
            let endsLine = byte == 10 || (byte == 13 && index + 1 < count && content[index + 1] == 10)
            if endsLine {
                output += [13, 10]
                if byte == 13 { index += 1 }
                if inBody {
                    bodyLinesSent += 1
                } else if lineIsEmpty {
                    inBody = true
                }
                lineStart = true
                lineIsEmpty = true
            } else {
                if lineStart && byte == 46 { output.append(46) }
                output.append(byte)
                lineStart = false
                lineIsEmpty = false
            }
            index += 1
        }
        // A message whose last line has no line end still ends before the terminator.
        if !lineStart { output += [13, 10] }
        output += [46, 13, 10]
        return output
    }
}
