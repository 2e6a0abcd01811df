/// Message bytes as IMAP and POP3 clients receive them, written from RFC 5322's rule (every
/// line ends with CRLF: each LF without a CR before it gets one; a bare CR is no line end),
/// not with the code under test: what sizes and sent bytes are checked against.
public enum WireForm {
    /// `bytes` with each bare LF made CRLF.
    public static func of(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 16)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0a && previous != 0x0d { output.append(0x0d) }
            output.append(byte)
            previous = byte
        }
        return output
    }
}
