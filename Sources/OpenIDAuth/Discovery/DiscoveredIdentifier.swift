/// The result of discovering an identifier: the identifier as discovered (after redirects,
/// without fragment) and its OpenID 2.0 services, best first.
public struct DiscoveredIdentifier: Sendable, Hashable, Codable {
    /// The normalized identifier after following redirects.
    public var identifier: String
    /// The OpenID 2.0 services, OP identifier services first when present, then by priority.
    public var services: [OpenIDService]

    /// A discovery result.
    public init(identifier: String, services: [OpenIDService]) {
        self.identifier = identifier
        self.services = services
    }

    /// True when the identifier is an OP identifier (it has a `.../2.0/server` service).
    public var isOPIdentifier: Bool { services.contains { $0.isOPIdentifier } }
}
