/// OpenID's key-value form encoding (section 4.1.1): `key:value\n` lines, used for direct
/// responses and as the input of signatures.
public enum KeyValueForm {
    /// Encodes `fields`.
    /// - Throws: ``OpenIDError/invalidMessage`` when a key holds `:` or a newline, or a
    ///   value holds a newline; such a message could be read two ways.
    public static func encode(_ fields: [(String, String)]) throws(OpenIDError) -> String {
        var text = ""
        for (key, value) in fields {
            guard !key.contains(":"), !key.contains("\n"), !value.contains("\n") else {
                throw OpenIDError.invalidMessage.with(message: "a key-value field holds ':' or a newline")
            }
            text += key + ":" + value + "\n"
        }
        return text
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
