/// The namespace URIs of the extensions this relying party speaks.
public enum OpenIDExtensionNamespace {
    /// Simple Registration 1.1.
    public static let simpleRegistration = "http://openid.net/extensions/sreg/1.1"
    /// Simple Registration 1.0's URI, which some providers still answer with.
    public static let simpleRegistration10 = "http://openid.net/sreg/1.0"
    /// Attribute Exchange 1.0.
    public static let attributeExchange = "http://openid.net/srv/ax/1.0"
    /// Launchpad team membership.
    public static let launchpadTeams = "http://ns.launchpad.net/2007/openid-teams"
    /// Provider Authentication Policy Extension 1.0.
    public static let pape = "http://specs.openid.net/extensions/pape/1.0"
}
