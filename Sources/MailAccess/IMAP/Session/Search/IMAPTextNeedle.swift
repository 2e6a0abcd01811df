/// A SEARCH string ready for case-insensitive substring matching (RFC 9051 section 6.4.4):
/// folded once, then compared against many haystacks without allocating.
struct IMAPTextNeedle {
    /// The folded needle's UTF-8 bytes.
    let bytes: [UInt8]
    /// True when the needle is ASCII: haystacks are then folded byte by byte (A-Z only), as
    /// no other byte of UTF-8 text can fold to ASCII that matters here.
    let isASCII: Bool

    init(_ text: String) {
        let folded = text.lowercased()
        bytes = Array(folded.utf8)
        isASCII = bytes.allSatisfy { $0 < 0x80 }
    }

    /// The empty string, which every value holds.
    var isEmpty: Bool { bytes.isEmpty }

    /// Whether `text` holds the needle, case-insensitively.
    func found(in text: String) -> Bool {
        if bytes.isEmpty { return true }
        if isASCII {
            var text = text
            return text.withUTF8 { found(inBytes: $0) }
        }
        var folded = text.lowercased()
        return folded.withUTF8 { Self.exact(bytes, in: $0) }
    }

    /// Whether UTF-8 `haystack` holds the needle, case-insensitively (non-ASCII needles
    /// need the haystack folded first: see ``found(in:)``).
    func found(inBytes haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.isEmpty { return true }
        guard isASCII else { return found(in: String(decoding: haystack, as: UTF8.self)) }
        return bytes.withUnsafeBufferPointer { needle in Self.foldedASCII(needle, in: haystack) }
    }

    /// Whether `haystack` holds the needle, case-insensitively.
    func found(inBytes haystack: ArraySlice<UInt8>) -> Bool {
        haystack.withUnsafeBufferPointer { found(inBytes: $0) }
    }

    private static func fold(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    /// ASCII-folded search: `needle` is already lowercase.
    private static func foldedASCII(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = needle.count
        guard count <= haystack.count, let first = needle.first else { return count == 0 }
        let last = haystack.count - count
        var index = 0
        while index <= last {
            if fold(haystack[index]) == first {
                var offset = 1
                while offset < count, fold(haystack[index + offset]) == needle[offset] { offset += 1 }
                if offset == count { return true }
            }
            index += 1
        }
        return false
    }

    /// Exact byte search.
    private static func exact(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        needle.withUnsafeBufferPointer { needle in
            let count = needle.count
            guard count <= haystack.count, let first = needle.first else { return count == 0 }
            let last = haystack.count - count
            var index = 0
            while index <= last {
                if haystack[index] == first {
                    var offset = 1
                    while offset < count, haystack[index + offset] == needle[offset] { offset += 1 }
                    if offset == count { return true }
                }
                index += 1
            }
            return false
        }
    }
}
