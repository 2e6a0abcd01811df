import Foundation

/// A SEARCH string ready for case-insensitive substring matching (RFC 9051 section 6.4.4),
/// folded once, then compared against many haystacks.
///
/// Two foldings: the mailbox index's (lowercase, what ``SearchQuery`` header criteria
/// mean; the header keys use it so that indexed and fetched matching agree), and, for
/// BODY and TEXT, one like RFC 5051's i;unicode-casemap, which Dovecot uses: both sides
/// decomposed (NFKD) and lowercased, so `cafe` is found in `Café` (`Cafe` and an accent)
/// and `ﬁ` matches `fi`.
struct IMAPTextNeedle {
    /// The folded needle's UTF-8 bytes.
    let bytes: [UInt8]
    /// True when the folded needle is ASCII: ASCII haystacks are then folded byte by byte.
    let isASCII: Bool
    /// Whether folding decomposes (NFKD) before lowercasing.
    let decomposes: Bool

    init(_ text: String, decomposing: Bool) {
        decomposes = decomposing
        bytes = Array(Self.fold(text, decomposing: decomposing).utf8)
        isASCII = bytes.allSatisfy { $0 < 0x80 }
    }

    /// The folding: lowercase, after compatibility decomposition when `decomposing`.
    static func fold(_ text: String, decomposing: Bool) -> String {
        decomposing ? text.decomposedStringWithCompatibilityMapping.lowercased() : text.lowercased()
    }

    /// The empty string, which every value holds.
    var isEmpty: Bool { bytes.isEmpty }

    /// Whether `text` holds the needle.
    func found(in text: String) -> Bool {
        if bytes.isEmpty { return true }
        var text = text
        return text.withUTF8 { found(inUTF8: $0) }
    }

    /// Whether UTF-8 `haystack` holds the needle.
    func found(inUTF8 haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.isEmpty { return true }
        let hasNonASCII = haystack.contains { $0 >= 0x80 }
        if isASCII && bytes.withUnsafeBufferPointer({ Self.foldedASCII($0, in: haystack) }) { return true }
        guard hasNonASCII || !isASCII else { return false }
        // Text beyond ASCII: fold it as the comparator does, then look for the bytes.
        var folded = Self.fold(String(decoding: haystack, as: UTF8.self), decomposing: decomposes)
        return folded.withUTF8 { folded in bytes.withUnsafeBufferPointer { Self.exact($0, in: folded) } }
    }

    /// Whether UTF-8 `haystack` holds the needle.
    func found(inUTF8 haystack: ArraySlice<UInt8>) -> Bool {
        haystack.withUnsafeBufferPointer { found(inUTF8: $0) }
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
    private static func exact(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
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
