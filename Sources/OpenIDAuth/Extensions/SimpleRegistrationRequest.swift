/// A Simple Registration 1.1 request: the profile fields the relying party needs or wants.
public struct SimpleRegistrationRequest: Sendable, Hashable {
    /// The fields SREG 1.1 defines.
    public enum Field: String, Sendable, Hashable, CaseIterable {
        /// The user's nickname (Ubuntu One: the Launchpad username).
        case nickname
        /// The e-mail address.
        case email
        /// The full name.
        case fullname
        /// Date of birth, YYYY-MM-DD.
        case dob
        /// M or F.
        case gender
        /// Postal code.
        case postcode
        /// ISO 3166 country code.
        case country
        /// ISO 639 language code.
        case language
        /// Time zone name.
        case timezone
    }

    /// Fields the user is told are required.
    public var required: [Field]
    /// Fields the user may choose to give.
    public var optional: [Field]
    /// A page describing how the data will be used, if any.
    public var policyURL: String?

    /// A request.
    public init(required: [Field] = [], optional: [Field] = [], policyURL: String? = nil) {
        self.required = required
        self.optional = optional
        self.policyURL = policyURL
    }

    /// The request's fields under `alias`.
    func fields(alias: String) -> [(String, String)] {
        var fields = [("ns.\(alias)", OpenIDExtensionNamespace.simpleRegistration)]
        if !required.isEmpty { fields.append(("\(alias).required", required.map(\.rawValue).joined(separator: ","))) }
        if !optional.isEmpty { fields.append(("\(alias).optional", optional.map(\.rawValue).joined(separator: ","))) }
        if let policyURL { fields.append(("\(alias).policy_url", policyURL)) }
        return fields
    }
}
