internal import Foundation

extension TagList {
    /// The bytes of a base64 value (`b=`, `bh=`, `p=`), its whitespace and folding removed
    /// first (RFC 6376 §3.5: "whitespace is ignored in this value"); nil when it is not base64.
    static func base64Bytes(_ value: String) -> [UInt8]? {
        var compact = ""
        compact.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars where !(scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n") {
            compact.unicodeScalars.append(scalar)
        }
        guard let data = Data(base64Encoded: compact) else { return nil }
        return [UInt8](data)
    }

    /// The items of a list value such as `h=from:to` or a key record's `h=sha1:sha256`,
    /// each with surrounding whitespace removed; empty items are kept (the caller decides).
    static func items(_ value: String, separator: Character = ":") -> [Substring] {
        value.split(separator: separator, omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)[...]
        }
    }
}
