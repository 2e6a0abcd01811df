import CommunityMailCrypto
import CommunityMailMessage
import Foundation

/// Tag values the two ARC signature fields share: algorithm, base64, domain, numbers.
enum ARCSignatureFields {
    /// The ARC algorithms: rsa-sha256 and ed25519-sha256 (RFC 8617 §4.1.3 takes DKIM's; SHA-1
    /// is not accepted, RFC 8301).
    static func algorithm(_ text: String) -> SignatureAlgorithm? {
        switch SignatureAlgorithm(tagValue: text) {
        case .rsaSHA256: .rsaSHA256
        case .ed25519SHA256: .ed25519SHA256
        default: nil
        }
    }

    /// Base64 with folding whitespace removed; nil when empty or not base64.
    static func base64(_ text: String) -> [UInt8]? {
        guard let bytes = TagList.base64Bytes(text), !bytes.isEmpty else { return nil }
        return bytes
    }

    /// The tag list of an ARC-Seal or ARC-Message-Signature field (its raw value), nil when
    /// it breaks the grammar or has more than `maximumTags` tags.
    static func tags(of field: HeaderField, maximumTags: Int) -> TagList? {
        guard let tags = try? TagList(parsing: field.rawValue), tags.tags.count <= maximumTags else { return nil }
        return tags
    }

    /// A `d=` or `s=` value: dot-separated labels of letters, digits, `-` and `_`.
    static func domain(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= 253,
            text.utf8.allSatisfy({ $0 == 0x2e || $0 == 0x2d || $0 == 0x5f || ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7a) }),
            !text.split(separator: ".", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0.utf8.count > 63 })
        else { return nil }
        return text
    }

    /// A decimal `t=` or `l=` value of at most 12 digits.
    static func timestamp(_ text: String) -> Int? {
        guard (1...12).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }
}
