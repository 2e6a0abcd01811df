internal import Foundation

extension TagList {
    /// The bytes of a base64 value (`b=`, `bh=`, `p=`), its whitespace and folding removed
    /// first (RFC 6376 §3.5: "whitespace is ignored in this value"); nil when it is not base64.
    static func base64Bytes(_ value: String) -> [UInt8]? {
        let compact = Data(value.utf8.filter { !isWhitespace($0) })
        guard let data = Data(base64Encoded: compact) else { return nil }
        return [UInt8](data)
    }

    /// The value with its whitespace and folding removed (how `b=` is quoted in `header.b`).
    static func compact(_ value: String) -> String {
        let bytes = value.utf8.filter { !isWhitespace($0) }
        return text(bytes[...])
    }

    /// The items of a list value such as `h=from:to` or a key record's `h=sha1:sha256`,
    /// each with surrounding whitespace removed; empty items are kept (the caller decides).
    static func items(_ value: String, separator: Character = ":") -> [Substring] {
        value.split(separator: separator, omittingEmptySubsequences: false).map { item in
            var item = item
            while let first = item.utf8.first, isWhitespace(first) { item = item.dropFirst() }
            while let last = item.utf8.last, isWhitespace(last) { item = item.dropLast() }
            return item
        }
    }
}
