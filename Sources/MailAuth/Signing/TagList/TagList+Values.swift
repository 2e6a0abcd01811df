extension TagList {
    /// The bytes of a base64 value (`b=`, `bh=`, `p=`), its whitespace and folding removed
    /// first (RFC 6376 §3.5: "whitespace is ignored in this value"); nil when it is not base64.
    static func base64Bytes(_ value: String) -> [UInt8]? {
        // Strict RFC 4648 base64 with its padding; whitespace (FWS in a tag value) is skipped.
        var output: [UInt8] = []
        output.reserveCapacity(value.utf8.count / 4 * 3)
        var accumulator: UInt32 = 0
        var sextets = 0
        var padding = 0
        for byte in value.utf8 {
            if isWhitespace(byte) { continue }
            if byte == UInt8(ascii: "=") {
                padding += 1
                guard padding <= 2 else { return nil }
                accumulator <<= 6
                sextets += 1
            } else {
                guard padding == 0, let sextet = base64Sextet(byte) else { return nil }
                accumulator = accumulator << 6 | UInt32(sextet)
                sextets += 1
            }
            if sextets == 4 {
                output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                if padding < 2 { output.append(UInt8(truncatingIfNeeded: accumulator >> 8)) }
                if padding < 1 { output.append(UInt8(truncatingIfNeeded: accumulator)) }
                accumulator = 0
                sextets = 0
            }
        }
        // Every group complete: unpadded input is refused, as Foundation refuses it.
        guard sextets == 0 else { return nil }
        return output
    }

    private static func base64Sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }

    /// The value with its whitespace and folding removed (how `b=` is quoted in `header.b`).
    static func compact(_ value: String) -> String {
        let bytes = value.utf8.filter { !isWhitespace($0) }
        return text(bytes[...])
    }

    /// The items of a list value such as `h=from:to` or a key record's `h=sha1:sha256`,
    /// each with surrounding whitespace removed; empty items are kept (the caller decides).
    static func items(_ value: String, separator: Character = ":") -> [Substring] {
        // Byte offsets in the UTF-8 view: the separator and the whitespace trimmed are ASCII,
        // so every cut falls on a character boundary.
        guard let separator = separator.asciiValue else {
            return value.split(separator: separator, omittingEmptySubsequences: false)
        }
        let utf8 = value.utf8
        var items: [Substring] = []
        var itemStart = utf8.startIndex
        var index = utf8.startIndex
        while true {
            let atEnd = index == utf8.endIndex
            if atEnd || utf8[index] == separator {
                var start = itemStart
                var end = index
                while start < end, isWhitespace(utf8[start]) { start = utf8.index(after: start) }
                while end > start, isWhitespace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
                items.append(value[start..<end])
                if atEnd { break }
                itemStart = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        return items
    }
}
