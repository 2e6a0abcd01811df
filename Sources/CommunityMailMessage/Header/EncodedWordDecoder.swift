/// Decodes RFC 2047 encoded words (`=?charset?B?...?=`, `=?charset?Q?...?=`) in a header value.
///
/// Whitespace between two encoded words is dropped (RFC 2047 section 6.2), and adjacent
/// words in the same charset are decoded together so a character split across words
/// survives. Malformed words are left as they are.
package enum EncodedWordDecoder {
    private enum Segment {
        case literal(ArraySlice<UInt8>)
        case encoded(charset: String, bytes: [UInt8])
    }

    package static func decode(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        let bytes = Array(value.utf8)
        var segments: [Segment] = []
        var literalStart = 0
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "="), bytes[index + 1] == UInt8(ascii: "?"),
                let (word, end) = parseWord(bytes, from: index)
            {
                if literalStart < index {
                    let literal = bytes[literalStart..<index]
                    let onlySpace = literal.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0d || $0 == 0x0a }
                    if !(onlySpace && isEncoded(segments.last)) { segments.append(.literal(literal)) }
                }
                if case .encoded(let charset, let previous)? = segments.last, charset == word.charset {
                    segments[segments.count - 1] = .encoded(charset: charset, bytes: previous + word.bytes)
                } else {
                    segments.append(.encoded(charset: word.charset, bytes: word.bytes))
                }
                index = end
                literalStart = end
            } else {
                index += 1
            }
        }
        if literalStart < bytes.count { segments.append(.literal(bytes[literalStart...])) }
        var result = ""
        for segment in segments {
            switch segment {
            case .literal(let literal): result += String(decoding: literal, as: UTF8.self)
            case .encoded(let charset, let decoded): result += CharsetDecoder.decode(decoded, charset: charset)
            }
        }
        return result
    }

    private static func isEncoded(_ segment: Segment?) -> Bool {
        if case .encoded? = segment { return true }
        return false
    }

    /// The word starting at `start` (at `=?`) and the index after its `?=`, or nil.
    private static func parseWord(_ bytes: [UInt8], from start: Int) -> ((charset: String, bytes: [UInt8]), Int)? {
        var index = start + 2
        let charsetStart = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "?") {
            if bytes[index] <= 0x20 || index - charsetStart > 64 { return nil }
            index += 1
        }
        guard index + 2 < bytes.count, index > charsetStart, bytes[index + 2] == UInt8(ascii: "?") else { return nil }
        var charset = String(decoding: bytes[charsetStart..<index], as: UTF8.self)
        // RFC 2231 section 5: `charset*language`.
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }
        let encoding = bytes[index + 1] | 0x20
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else { return nil }
        index += 3
        let textStart = index
        while index + 1 < bytes.count, !(bytes[index] == UInt8(ascii: "?") && bytes[index + 1] == UInt8(ascii: "=")) {
            if bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0a || bytes[index] == 0x0d { return nil }
            index += 1
        }
        guard index + 1 < bytes.count else { return nil }
        let text = bytes[textStart..<index]
        let decoded =
            encoding == UInt8(ascii: "b")
            ? TransferDecoding.base64(text) : TransferDecoding.quotedPrintable(text, underscoreIsSpace: true)
        return ((charset, decoded), index + 2)
    }
}
