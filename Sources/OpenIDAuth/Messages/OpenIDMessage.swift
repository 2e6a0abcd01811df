public import Foundation
import HTTPTransport

/// An OpenID protocol message: the `openid.*` fields of an indirect message (a query string
/// or form body), kept in order, with the `openid.` prefix removed from the keys.
public struct OpenIDMessage: Sendable, Hashable {
    /// The OpenID 2.0 namespace URI (`openid.ns`).
    public static let namespace = "http://specs.openid.net/auth/2.0"
    /// The identifier that asks the provider to choose the identity (section 9.1).
    public static let identifierSelect = "http://specs.openid.net/auth/2.0/identifier_select"

    /// The fields in order, keys without the `openid.` prefix.
    public private(set) var fields: [(key: String, value: String)]

    /// A message from fields whose keys have no `openid.` prefix.
    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (key: $0.0, value: $0.1) }
    }

    /// The `openid.*` fields of a query string or form body; other fields are ignored.
    /// - Throws: ``OpenIDError/invalidMessage`` when an `openid.` key repeats (an ambiguous
    ///   message that could be read two ways).
    public init(formEncoded text: String) throws(OpenIDError) {
        try self.init(decodedFields: FormURLEncoding.decode(text))
    }

    /// The `openid.*` fields among already decoded form fields.
    init(decodedFields: [(String, String)]) throws(OpenIDError) {
        var fields: [(String, String)] = []
        var seen = Set<String>()
        for (key, value) in decodedFields where key.hasPrefix("openid.") {
            let name = String(key.dropFirst("openid.".count))
            guard seen.insert(name).inserted else {
                throw OpenIDError.invalidMessage.with(message: "the field openid.\(name) appears twice")
            }
            fields.append((name, value))
        }
        self.init(fields)
    }

    /// The `openid.*` fields of `url`'s query string (kept percent-encoded until decoded here).
    /// - Throws: ``OpenIDError/invalidMessage`` when an `openid.` key repeats.
    public init(query url: URL) throws(OpenIDError) {
        let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery ?? ""
        try self.init(formEncoded: query)
    }

    /// The value of `openid.<key>`.
    public subscript(key: String) -> String? {
        get { fields.first { $0.key == key }?.value }
        set {
            if let index = fields.firstIndex(where: { $0.key == key }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append((key: key, value: newValue))
            }
        }
    }

    /// The value of `openid.<key>`, or a typed error naming the missing field.
    func required(_ key: String) throws(OpenIDError) -> String {
        guard let value = self[key], !value.isEmpty else {
            throw OpenIDError.missingField.with(message: "the field openid.\(key) is missing")
        }
        return value
    }

    /// The fields with their `openid.` prefix, for a query string or form.
    public var prefixedFields: [(String, String)] { fields.map { ("openid.\($0.key)", $0.value) } }

    /// The form-encoded message.
    public var formEncoded: String { FormURLEncoding.encode(prefixedFields) }

    /// The alias declared for extension namespace `uri` (`openid.ns.<alias>=uri`), if any.
    func alias(forNamespace uri: String) -> String? {
        fields.first { $0.key.hasPrefix("ns.") && $0.value == uri }.map { String($0.key.dropFirst(3)) }
    }

    /// Equal when the same fields appear in the same order.
    public static func == (lhs: OpenIDMessage, rhs: OpenIDMessage) -> Bool {
        lhs.fields.count == rhs.fields.count && zip(lhs.fields, rhs.fields).allSatisfy { $0 == $1 }
    }

    /// Hashes every field in order.
    public func hash(into hasher: inout Hasher) {
        for field in fields {
            hasher.combine(field.key)
            hasher.combine(field.value)
        }
    }
}
