public import Foundation

extension LaunchpadOAuthToken {
    /// The `Authorization` header value for one request, OAuth 1.0 PLAINTEXT
    /// (RFC 5849 section 3.4.4): the signature is `<consumer secret>&<token secret>`,
    /// each percent-encoded, and every parameter value is percent-encoded again in the
    /// header (section 3.5.1). Timestamp and nonce are fresh per call.
    /// - Parameters:
    ///   - realm: the service root, e.g. `https://api.launchpad.net/`.
    ///   - now: the time for `oauth_timestamp`.
    ///   - nonce: a value never reused with the same timestamp.
    public func authorizationHeader(realm: String, now: Date, nonce: String) -> String {
        let signature = Self.percentEncode(consumerSecret) + "&" + Self.percentEncode(tokenSecret)
        let parameters: [(String, String)] = [
            ("oauth_consumer_key", consumerKey),
            ("oauth_token", token),
            ("oauth_signature_method", "PLAINTEXT"),
            ("oauth_signature", signature),
            ("oauth_timestamp", String(Int64(now.timeIntervalSince1970))),
            ("oauth_nonce", nonce),
            ("oauth_version", "1.0"),
        ]
        let realmText = realm.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "OAuth realm=\"\(realmText)\", "
            + parameters.map { "\($0.0)=\"\(Self.percentEncode($0.1))\"" }.joined(separator: ", ")
    }

    /// RFC 3986 percent-encoding: everything but ALPHA, DIGIT, `-`, `.`, `_`, `~`.
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// A random nonce: 16 bytes from the system's secure generator, as hex.
    static func makeNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }
}
