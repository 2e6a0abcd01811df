extension SMTPMessage {
    /// `content` as it goes after DATA (RFC 5321 section 4.5.2): every line end CRLF (a bare
    /// CR or LF is one: a lone CR or LF in DATA is what SMTP smuggling rides on), a dot at
    /// the start of a line doubled, a final CRLF if missing, then `.` CRLF.
    /// - Returns: the bytes, and how many dots were added (the size of RFC 1870 counts
    ///   neither them nor the final `.` line).
    static func transmissionEncoded(_ content: [UInt8]) throws(SMTPError) -> (bytes: [UInt8], addedDots: Int) {
        let carriageReturn = UInt8(ascii: "\r"), lineFeed = UInt8(ascii: "\n"), dot = UInt8(ascii: ".")
        var out: [UInt8] = []
        out.reserveCapacity(content.count + content.count / 32 + 5)
        var lineLength = 0
        var index = 0
        var addedDots = 0
        func endLine() { out += [carriageReturn, lineFeed]; lineLength = 0 }
        while index < content.count {
            let byte = content[index]
            if byte == carriageReturn {
                endLine()
                // CRLF is one line end, not two.
                if index + 1 < content.count, content[index + 1] == lineFeed { index += 1 }
            } else if byte == lineFeed {
                endLine()
            } else {
                if lineLength == 0, byte == dot {
                    out.append(dot)
                    addedDots += 1
                }
                out.append(byte)
                lineLength += 1
                guard lineLength <= maximumLineLength else {
                    throw SMTPError.invalidMessage.with(message: "the message has a line longer than \(maximumLineLength) octets")
                }
            }
            index += 1
        }
        if lineLength > 0 { endLine() }
        out += [dot, carriageReturn, lineFeed]
        return (out, addedDots)
    }

    /// The bytes before the first empty line (the header block of RFC 5322 section 2.1),
    /// or all of `content` when there is none.
    static func headerBlock(of content: [UInt8]) -> ArraySlice<UInt8> {
        var index = 0
        var atLineStart = true
        while index < content.count {
            let byte = content[index]
            if atLineStart, byte == UInt8(ascii: "\n") { return content[..<index] }
            if atLineStart, byte == UInt8(ascii: "\r"), index + 1 < content.count, content[index + 1] == UInt8(ascii: "\n") {
                return content[..<index]
            }
            atLineStart = byte == UInt8(ascii: "\n")
            index += 1
        }
        return content[...]
    }
}
