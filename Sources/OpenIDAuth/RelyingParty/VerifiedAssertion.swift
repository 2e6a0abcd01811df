public import Foundation

/// A positive assertion that passed every check of section 11. Every value in it was signed
/// by the provider; unsigned extension values are never here.
public struct VerifiedAssertion: Sendable, Hashable {
    /// The claimed identifier, as asserted (a fragment, if any, kept: it tells recycled
    /// identifiers apart).
    public var claimedIdentifier: String
    /// The OP-local identifier (`openid.identity`).
    public var localIdentifier: String
    /// The provider endpoint that made the assertion (verified by discovery).
    public var providerEndpoint: String
    /// The signed fields, keys without `openid.`.
    public var signedFields: [String: String]
    /// Simple Registration values by field name (`nickname`, `email`, `fullname`, ...).
    public var simpleRegistration: [String: String]
    /// Attribute Exchange values by type URI.
    public var attributes: [String: [String]]
    /// Launchpad teams the provider confirmed the user belongs to.
    public var teams: [String]
    /// PAPE `auth_time`: when the user last authenticated at the provider.
    public var authenticationTime: Date?
    /// PAPE `auth_policies` the provider says it applied.
    public var authenticationPolicies: [String]
    /// Keys (without `openid.`) of fields that arrived unsigned and were dropped.
    public var droppedUnsignedFields: [String]
    /// True when the relying party's ``OpenIDRelyingParty/ExtensionTrust`` trusts this
    /// provider, so ``simpleRegistration``, ``attributes`` and ``teams`` hold its values;
    /// false when they were left empty (``signedFields`` still holds them, raw and untrusted).
    public var extensionValuesTrusted: Bool

    /// An assertion; OpenIDRelyingParty builds these after verification.
    public init(
        claimedIdentifier: String, localIdentifier: String, providerEndpoint: String, signedFields: [String: String],
        simpleRegistration: [String: String] = [:], attributes: [String: [String]] = [:], teams: [String] = [],
        authenticationTime: Date? = nil, authenticationPolicies: [String] = [], droppedUnsignedFields: [String] = [],
        extensionValuesTrusted: Bool = false
    ) {
        self.claimedIdentifier = claimedIdentifier
        self.localIdentifier = localIdentifier
        self.providerEndpoint = providerEndpoint
        self.signedFields = signedFields
        self.simpleRegistration = simpleRegistration
        self.attributes = attributes
        self.teams = teams
        self.authenticationTime = authenticationTime
        self.authenticationPolicies = authenticationPolicies
        self.droppedUnsignedFields = droppedUnsignedFields
        self.extensionValuesTrusted = extensionValuesTrusted
    }
}
