/// One mechanism of a record with its qualifier (RFC 7208 section 5).
struct SPFMechanism: Hashable, Sendable {
    /// What the mechanism asks, with its arguments.
    enum Kind: Hashable, Sendable {
        /// `all`: always matches.
        case all
        /// `include:domain-spec`: matches when that domain's policy passes.
        case include(SPFMacroString)
        /// `a[:domain-spec][cidr]`: the client is one of the name's addresses.
        case a(SPFMacroString?, SPFCIDRLengths)
        /// `mx[:domain-spec][cidr]`: the client is an address of one of the name's MX hosts.
        case mx(SPFMacroString?, SPFCIDRLengths)
        /// `ptr[:domain-spec]`: a validated reverse name of the client ends in the domain.
        case ptr(SPFMacroString?)
        /// `ip4:network[/length]`.
        case ip4(SPFNetwork)
        /// `ip6:network[/length]`.
        case ip6(SPFNetwork)
        /// `exists:domain-spec`: the name has an A record.
        case exists(SPFMacroString)
    }

    /// The verdict when it matches.
    var qualifier: SPFQualifier
    /// The mechanism.
    var kind: Kind

    /// True for the mechanisms that count against the DNS-query limit (section 4.6.4).
    var queriesDNS: Bool {
        switch kind {
        case .include, .a, .mx, .ptr, .exists: true
        case .all, .ip4, .ip6: false
        }
    }

    /// The mechanism's name with its qualifier (`-all`, `+ip4`): for reasons, never its argument.
    var summary: String {
        let name: String
        switch kind {
        case .all: name = "all"
        case .include: name = "include"
        case .a: name = "a"
        case .mx: name = "mx"
        case .ptr: name = "ptr"
        case .ip4: name = "ip4"
        case .ip6: name = "ip6"
        case .exists: name = "exists"
        }
        return qualifier.symbol + name
    }
}
