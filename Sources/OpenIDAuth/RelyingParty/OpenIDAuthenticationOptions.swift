/// What to ask the provider for besides the identity: extensions and the mode.
public struct OpenIDAuthenticationOptions: Sendable, Hashable {
    /// `checkid_immediate` (no user interaction; the provider answers `setup_needed` when it
    /// would need some) instead of `checkid_setup`. Default: false.
    public var immediate: Bool
    /// A Simple Registration 1.1 request, if any.
    public var simpleRegistration: SimpleRegistrationRequest?
    /// An Attribute Exchange 1.0 fetch request, if any.
    public var attributeExchange: AttributeExchangeFetchRequest?
    /// Launchpad teams whose membership to query (`query_membership`); empty asks for none.
    public var teams: [String]
    /// PAPE `max_auth_age` in seconds: ask the provider to re-authenticate the user when the
    /// last sign-in is older. Nil asks nothing.
    public var maximumAuthenticationAge: Int?

    /// Options; the defaults ask for the identity only, with user interaction allowed.
    public init(
        immediate: Bool = false, simpleRegistration: SimpleRegistrationRequest? = nil,
        attributeExchange: AttributeExchangeFetchRequest? = nil, teams: [String] = [], maximumAuthenticationAge: Int? = nil
    ) {
        self.immediate = immediate
        self.simpleRegistration = simpleRegistration
        self.attributeExchange = attributeExchange
        self.teams = teams
        self.maximumAuthenticationAge = maximumAuthenticationAge
    }

    /// The extension fields of a request.
    func extensionFields() -> [(String, String)] {
        var fields: [(String, String)] = []
        if let simpleRegistration { fields += simpleRegistration.fields(alias: "sreg") }
        if let attributeExchange { fields += attributeExchange.fields(alias: "ax") }
        if !teams.isEmpty {
            fields += [("ns.lp", OpenIDExtensionNamespace.launchpadTeams), ("lp.query_membership", teams.joined(separator: ","))]
        }
        if let maximumAuthenticationAge {
            fields += [("ns.pape", OpenIDExtensionNamespace.pape), ("pape.max_auth_age", String(maximumAuthenticationAge)),
                       ("pape.preferred_auth_policies", "")]
        }
        return fields
    }
}
