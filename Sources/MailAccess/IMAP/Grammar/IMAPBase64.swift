import Foundation

/// Base64 as SASL exchanges use it in IMAP (RFC 4648, padded, no line breaks).
enum IMAPBase64 {
    /// The bytes of `text`, or nil when it is not base64 (`=` alone is empty, RFC 4959).
    static func decode(_ text: [UInt8]) -> [UInt8]? {
        if text == [UInt8(ascii: "=")] || text.isEmpty { return [] }
        guard text.count % 4 == 0, let data = Data(base64Encoded: Data(text)) else { return nil }
        return [UInt8](data)
    }

    /// `bytes` in base64.
    static func encode(_ bytes: [UInt8]) -> [UInt8] { Array(Data(bytes).base64EncodedString().utf8) }
}
