import Foundation

/// An ARC-Authentication-Results header field's value (RFC 8617 §4.1.1): the instance,
/// then an Authentication-Results payload (RFC 8601): the sealer's authserv-id and its
/// results, kept as text for a receiver that trusts the sealer to read.
public struct ARCAuthenticationResults: Sendable, Hashable {
    /// The ARC instance (1...50).
    public var instance: Int
    /// The authserv-id of the ADMD that sealed this set (`mx.example.org`).
    public var authservID: String
    /// The method results after the authserv-id, unfolded (`dkim=pass header.d=example.org;
    /// spf=pass smtp.mailfrom=example.org`), or `none`.
    public var results: String

    /// A value from its parts.
    public init(instance: Int, authservID: String, results: String) {
        self.instance = instance
        self.authservID = authservID
        self.results = results
    }

    /// Parses an unfolded field value: `i=N; authserv-id [version]; results` (or
    /// `i=N; authserv-id; none`). Nil when it does not start with a valid instance or has no
    /// authserv-id.
    public init?(parsing value: String) {
        var rest = Substring(value).drop { $0 == " " || $0 == "\t" }
        guard rest.first == "i" || rest.first == "I" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard let instance = ARCInstance.parse(digits) else { return nil }
        rest = rest.dropFirst(digits.count).drop { $0 == " " || $0 == "\t" }
        guard rest.first == ";" else { return nil }
        let payload = rest.dropFirst().trimmingCharacters(in: .whitespaces)
        let idPart: Substring
        let results: String
        if let semicolon = payload.firstIndex(of: ";") {
            idPart = payload[..<semicolon]
            results = payload[payload.index(after: semicolon)...].trimmingCharacters(in: .whitespaces)
        } else {
            idPart = Substring(payload)
            results = "none"
        }
        // The authserv-id, without the optional version number after it.
        guard let authservID = idPart.split(whereSeparator: { $0 == " " || $0 == "\t" }).first, !authservID.isEmpty else {
            return nil
        }
        self.init(instance: instance, authservID: String(authservID), results: results.isEmpty ? "none" : results)
    }

    /// The value as written in the header field: `i=N; authserv-id; results`.
    public var fieldValue: String { "i=\(instance); \(authservID); \(results)" }
}
