/// A test on a message's stored bytes: whether every text a search decodes from it (header
/// values with encoded words, text parts with their transfer encoding and charset undone,
/// folded by the comparator) is, byte for byte, text that already stands in the stored
/// bytes. Then an ASCII needle absent from the stored bytes is absent from every decoded
/// form, and the message need not be parsed at all.
///
/// That holds when the message has no 8-bit byte (so no charset or NFKD folding can make
/// ASCII), no `=?` (no encoded word), and no line starting `Content-` (with its
/// continuation lines) that names base64, quoted-printable, or a charset that writes ASCII
/// otherwise (UTF-7, UTF-16, UTF-32, UCS-2/4). One pass over the bytes.
enum IMAPRawText {
    static func isLiteral(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            let count = buffer.count
            var index = 0
            var lineStart = true
            var inContentLine = false
            var contentLineStart = 0
            guard let base = buffer.baseAddress else { return true }
            let raw = UnsafeRawPointer(base)
            while index < count {
                if !lineStart && index + 8 <= count {
                    // Eight bytes at once: skip them when none is 8-bit, `=` or LF.
                    let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    if word & highBits != 0 { return false }
                    if !hasByte(word, UInt8(ascii: "=")) && !hasByte(word, 0x0a) {
                        index += 8
                        continue
                    }
                }
                let byte = buffer[index]
                if byte >= 0x80 { return false }
                if byte == UInt8(ascii: "=") && index + 1 < count && buffer[index + 1] == UInt8(ascii: "?") { return false }
                if lineStart {
                    let continues = byte == 0x20 || byte == 0x09
                    if inContentLine && !continues {
                        if namesDecoding(buffer, contentLineStart..<index) { return false }
                        inContentLine = false
                    }
                    if !inContentLine && startsWithContentDash(buffer, at: index) {
                        inContentLine = true
                        contentLineStart = index
                    }
                }
                lineStart = byte == 0x0a
                index += 1
            }
            return !(inContentLine && namesDecoding(buffer, contentLineStart..<count))
        }
    }

    private static let highBits: UInt64 = 0x8080_8080_8080_8080
    private static let lowBits: UInt64 = 0x0101_0101_0101_0101

    /// Whether a byte of `word` is `byte` (may say yes wrongly, never no wrongly).
    private static func hasByte(_ word: UInt64, _ byte: UInt8) -> Bool {
        let bits = word ^ (lowBits &* UInt64(byte))
        return (bits &- lowBits) & ~bits & highBits != 0
    }

    private static let contentDash = Array("content-".utf8)
    private static let decodings = ["base64", "quoted-printable", "utf-7", "utf-16", "utf-32", "ucs-2", "ucs-4", "utf7", "utf16", "utf32", "unicode"]
        .map { Array($0.utf8) }

    private static func startsWithContentDash(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index + contentDash.count <= buffer.count else { return false }
        for offset in 0..<contentDash.count where buffer[index + offset] | 0x20 != contentDash[offset] {
            // `-` (0x2d) | 0x20 is 0x2d: the comparison holds for it too.
            return false
        }
        return true
    }

    /// Whether the header line in `range` names a transfer encoding or charset that decoding changes.
    private static func namesDecoding(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        for name in decodings {
            let count = name.count
            var index = range.lowerBound
            while index + count <= range.upperBound {
                var offset = 0
                while offset < count, lowercased(buffer[index + offset]) == name[offset] { offset += 1 }
                if offset == count { return true }
                index += 1
            }
        }
        return false
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }
}
