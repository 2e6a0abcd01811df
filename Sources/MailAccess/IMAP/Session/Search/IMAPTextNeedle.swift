import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// Whether a message whose stored bytes are literal text (``IMAPRawText/isLiteral(_:)``)
    /// and lack the needle surely lacks it in every decoded form too: an ASCII needle with
    /// no whitespace and no colon (which header unfolding and TEXT's `Name: value` could
    /// join across: `Subject :x` is matched as `Subject: :x`).
    var allowsRawRejection: Bool {
        isASCII && !bytes.isEmpty && !bytes.contains { $0 == 0x20 || $0 == 0x09 || $0 == 0x0d || $0 == 0x0a || $0 == 0x3a }
    }

    /// Whether `haystack` holds the (ASCII) needle, ASCII letters compared without case:
    /// candidates found with memchr for the first byte in either case.
    func found(inASCII haystack: ArraySlice<UInt8>) -> Bool {
        haystack.withUnsafeBufferPointer { Self.foundASCII(bytes, in: $0) }
    }

    /// Whether `haystack` has a byte beyond ASCII (eight bytes at a time).
    static func hasNonASCII(_ haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = haystack.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index + 8 <= haystack.count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return true }
            index += 8
        }
        while index < haystack.count {
            if haystack[index] >= 0x80 { return true }
            index += 1
        }
        return false
    }

    private static func foundASCII(_ bytes: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first else { return true }
        let other = first &- 0x61 < 26 ? first ^ 0x20 : first
        return bytes.withUnsafeBufferPointer { needle in
            guard let base = haystack.baseAddress, needle.count <= haystack.count else { return false }
            let last = haystack.count - needle.count
            func next(_ byte: UInt8, from start: Int) -> Int {
                guard start <= last, let found = memchr(base + start, Int32(byte), last - start + 1) else { return Int.max }
                return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
            var lower = next(first, from: 0)
            var upper = other == first ? Int.max : next(other, from: 0)
            while true {
                let index = min(lower, upper)
                if index == Int.max { return false }
                var offset = 1
                while offset < needle.count, Self.fold(haystack[index + offset]) == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
                if index == lower { lower = next(first, from: index + 1) } else { upper = next(other, from: index + 1) }
            }
        }
    }

    /// Whether `text` holds the needle.
    func found(in text: String) -> Bool {
        if bytes.isEmpty { return true }
        var text = text
        return text.withUTF8 { found(inUTF8: $0) }
    }

    /// Whether UTF-8 `haystack` holds the needle.
    func found(inUTF8 haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.isEmpty { return true }
        if isASCII {
            if Self.foundASCII(bytes, in: haystack) { return true }
            // Only text beyond ASCII can fold into an ASCII match.
            guard Self.hasNonASCII(haystack) else { return false }
        }
        // Text beyond ASCII: fold it as the comparator does, then look for the bytes.
        var folded = Self.fold(String(decoding: haystack, as: UTF8.self), decomposing: decomposes)
        return folded.withUTF8 { folded in bytes.withUnsafeBufferPointer { Self.exact($0, in: folded) } }
    }

    /// Whether a decoded text part holds the needle: its UTF-8 is searched as ASCII first,
    /// and only when the part is beyond ASCII is its folded form (made once per part and
    /// folding, shared by every key) searched.
    func found(in part: IMAPDecodedPart) -> Bool {
        if bytes.isEmpty { return true }
        if isASCII {
            if part.utf8.withUnsafeBufferPointer({ Self.foundASCII(bytes, in: $0) }) { return true }
            guard part.hasNonASCII else { return false }
        }
        let folded = part.folded(decomposing: decomposes)
        return folded.withUnsafeBufferPointer { folded in bytes.withUnsafeBufferPointer { Self.exact($0, in: folded) } }
    }

    /// Whether UTF-8 `haystack` holds the needle.
    func found(inUTF8 haystack: ArraySlice<UInt8>) -> Bool {
        haystack.withUnsafeBufferPointer { found(inUTF8: $0) }
    }

    private static func fold(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
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
