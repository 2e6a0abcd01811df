/// The size of a message as IMAP and POP3 clients see it: its length in RFC 5322 form,
/// where every line ends with CRLF. A stored bare LF (a message delivered or appended with
/// Unix line ends) goes out as CRLF, so it counts two octets; a bare CR is sent as it is
/// and counts one, as Dovecot's "virtual size" counts them.
///
/// This is the number a mailbox keeps for each message (``FetchedMessage/size``): what
/// RFC822.SIZE, SEARCH LARGER/SMALLER, STATUS SIZE, SORT by size, POP3 LIST and STAT, and
/// the quota's byte count all read, so they agree with the length of BODY[] without reading
/// the message again. RETR's data (before byte-stuffing) has this length too, except for a
/// message whose last line has no line end: RETR adds a CRLF after it (the terminating `.`
/// must stand on a line of its own), which the size does not count, as Dovecot's LIST
/// does not (its pop3 adds the CRLF the same way).
public enum MessageSize {
    /// The length of `bytes` once each LF without a CR before it is made CRLF.
    public static func inRFC5322Form(_ bytes: [UInt8]) -> Int {
        inRFC5322Form(bytes[...])
    }

    /// The length of `bytes` once each LF without a CR before it is made CRLF (an LF first
    /// in the slice counts as bare).
    public static func inRFC5322Form(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            var bareLineFeeds = 0
            var previous: UInt8 = 0
            for byte in buffer {
                if byte == 0x0a && previous != 0x0d { bareLineFeeds += 1 }
                previous = byte
            }
            return buffer.count + bareLineFeeds
        }
    }
}
