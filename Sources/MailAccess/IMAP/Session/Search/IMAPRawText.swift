/// A test on a message's stored bytes: whether every text a search decodes from it (header
/// values with encoded words, text parts with their transfer encoding and charset undone,
/// folded by the comparator) is, byte for byte, text that already stands in the stored
/// bytes. Then an ASCII needle absent from the stored bytes is absent from every decoded
/// form, and the message need not be parsed at all.
///
/// That holds when the message has no 8-bit byte (so no charset or NFKD folding can make
/// ASCII), no `=?` (no encoded word), and no line starting `Content-` (with its
/// continuation lines) that names base64, quoted-printable, or a charset not known to
/// write ASCII as ASCII: only US-ASCII, UTF-8, ISO-8859-*, Windows-125x, KOI8-* and the
/// like are trusted; ISO-2022-*, HZ, UTF-7, UTF-16/32, EBCDIC or an unknown name mean
/// decoding (7-bit bytes there may stand for other characters, fullwidth letters
/// among them, which fold to ASCII). One pass over the bytes.
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
    private static let decodings = ["base64", "quoted-printable"].map { Array($0.utf8) }
    private static let charsetName = Array("charset".utf8)

    /// Charsets (lowercased) in which every byte below 0x80 is the ASCII character: exact
    /// names, then prefixes of families.
    private static let transparentCharsets: Set<String> = [
        "us-ascii", "ascii", "utf-8", "utf8", "latin1", "latin-1", "l1", "iso646-us", "ansi_x3.4-1968", "cp367",
        "tis-620", "viscii", "gb2312", "gbk", "gb18030", "euc-kr", "euc-jp", "euc-cn", "euc-tw", "big5", "big5-hkscs",
        "shift_jis", "shift-jis", "sjis", "cp932", "windows-31j", "cp936", "cp949", "cp950", "cp1252", "cp1251",
    ]
    private static let transparentPrefixes = ["iso-8859-", "iso8859-", "iso_8859-", "windows-125", "cp125", "koi8-", "mac"]

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
        if namesOpaqueCharset(buffer, range) { return true }
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

    /// Whether a `charset` parameter in `range` names a charset not known to be
    /// ASCII-transparent (an RFC 2231 `charset*` counts as unknown).
    private static func namesOpaqueCharset(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var index = range.lowerBound
        while index + charsetName.count <= range.upperBound {
            var offset = 0
            while offset < charsetName.count, lowercased(buffer[index + offset]) == charsetName[offset] { offset += 1 }
            guard offset == charsetName.count else {
                index += 1
                continue
            }
            var cursor = index + offset
            func skipSpace() { while cursor < range.upperBound, [0x20, 0x09, 0x0d, 0x0a].contains(buffer[cursor]) { cursor += 1 } }
            skipSpace()
            if cursor < range.upperBound, buffer[cursor] == UInt8(ascii: "*") { return true }
            guard cursor < range.upperBound, buffer[cursor] == UInt8(ascii: "=") else {
                index += 1
                continue
            }
            cursor += 1
            skipSpace()
            if cursor < range.upperBound, buffer[cursor] == UInt8(ascii: "\"") { cursor += 1 }
            var name: [UInt8] = []
            while cursor < range.upperBound, name.count < 64 {
                let byte = buffer[cursor]
                if byte <= 0x20 || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "(") { break }
                name.append(lowercased(byte))
                cursor += 1
            }
            let text = String(decoding: name, as: UTF8.self)
            if !(transparentCharsets.contains(text) || transparentPrefixes.contains { text.hasPrefix($0) }) { return true }
            index = cursor
        }
        return false
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }
}
