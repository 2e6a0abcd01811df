/// An Attribute Exchange 1.0 fetch request.
public struct AttributeExchangeFetchRequest: Sendable, Hashable {
    /// One requested attribute.
    public struct Attribute: Sendable, Hashable {
        /// The attribute's type URI, e.g. `http://axschema.org/contact/email`.
        public var typeURI: String
        /// The alias used in the message (letters, digits, `_`).
        public var alias: String
        /// Whether the relying party needs it.
        public var isRequired: Bool
        /// How many values are wanted (1 by default).
        public var count: Int

        /// An attribute.
        public init(typeURI: String, alias: String, isRequired: Bool = false, count: Int = 1) {
            self.typeURI = typeURI
            self.alias = alias
            self.isRequired = isRequired
            self.count = count
        }

        /// `http://axschema.org/contact/email`.
        public static let email = Attribute(typeURI: "http://axschema.org/contact/email", alias: "email", isRequired: true)
        /// `http://axschema.org/namePerson`.
        public static let fullName = Attribute(typeURI: "http://axschema.org/namePerson", alias: "fullname")
        /// `http://axschema.org/namePerson/friendly`.
        public static let nickname = Attribute(typeURI: "http://axschema.org/namePerson/friendly", alias: "nickname")
    }

    /// The attributes asked for.
    public var attributes: [Attribute]

    /// A fetch request.
    public init(attributes: [Attribute]) { self.attributes = attributes }

    /// The request's fields under `alias`.
    func fields(alias: String) -> [(String, String)] {
        var fields = [("ns.\(alias)", OpenIDExtensionNamespace.attributeExchange), ("\(alias).mode", "fetch_request")]
        for attribute in attributes {
            fields.append(("\(alias).type.\(attribute.alias)", attribute.typeURI))
            if attribute.count != 1 { fields.append(("\(alias).count.\(attribute.alias)", String(attribute.count))) }
        }
        let required = attributes.filter(\.isRequired).map(\.alias)
        let optional = attributes.filter { !$0.isRequired }.map(\.alias)
        if !required.isEmpty { fields.append(("\(alias).required", required.joined(separator: ","))) }
        if !optional.isEmpty { fields.append(("\(alias).if_available", optional.joined(separator: ","))) }
        return fields
    }
}
