/// OpenID's key-value form encoding (section 4.1.1): `key:value\n` lines, used for direct
/// responses and as the input of signatures.
public enum KeyValueForm {
    /// Encodes `fields`.
    /// - Throws: ``OpenIDError/invalidMessage`` when a key holds `:` or a newline, or a
    ///   value holds a newline; such a message could be read two ways.
    public static func encode(_ fields: [(String, String)]) throws(OpenIDError) -> String {
        String(decoding: try encodedBytes(fields), as: UTF8.self)
    }

    /// The UTF-8 bytes of ``encode(_:)``: what signatures are computed over.
    static func encodedBytes(_ fields: [(String, String)]) throws(OpenIDError) -> [UInt8] {
        let colon = UInt8(ascii: ":"), newline = UInt8(ascii: "\n")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fields.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 2 })
        for (key, value) in fields {
            guard !key.utf8.contains(colon), !key.utf8.contains(newline), !value.utf8.contains(newline) else {
                throw OpenIDError.invalidMessage.with(message: "a key-value field holds ':' or a newline")
            }
            bytes += key.utf8
            bytes.append(colon)
            bytes += value.utf8
            bytes.append(newline)
        }
        return bytes
    }

    /// Decodes a key-value body. Lines without `:` are refused; a trailing newline is optional.
    /// - Throws: ``OpenIDError/invalidMessage`` on a malformed line or a repeated key.
    public static func decode(_ text: String) throws(OpenIDError) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            guard let colon = line.firstIndex(of: ":") else {
                throw OpenIDError.invalidMessage.with(message: "a key-value line has no ':'")
            }
            let key = String(line[..<colon])
            guard result[key] == nil else {
                throw OpenIDError.invalidMessage.with(message: "the key-value field \(key) appears twice")
            }
            result[key] = String(line[line.index(after: colon)...])
        }
        return result
    }
}
