import Foundation

/// One OpenID 2.0 service found by discovery (section 7.3).
public struct OpenIDService: Sendable, Hashable, Codable {
    /// The provider endpoint URL (where requests go).
    public var endpoint: String
    /// True for an OP identifier element (`.../2.0/server`): the user picks an identity at
    /// the provider (identifier_select). False for a claimed identifier (`.../2.0/signon`).
    public var isOPIdentifier: Bool
    /// The claimed identifier the service was discovered from (nil for OP identifiers).
    public var claimedIdentifier: String?
    /// The OP-local identifier (`LocalID` / `openid2.local_id`), if one was given.
    public var localIdentifier: String?
    /// The XRDS priority (lower first); HTML services get 0.
    public var priority: Int

    /// A service.
    public init(endpoint: String, isOPIdentifier: Bool, claimedIdentifier: String?, localIdentifier: String?, priority: Int = 0) {
        self.endpoint = endpoint
        self.isOPIdentifier = isOPIdentifier
        self.claimedIdentifier = claimedIdentifier
        self.localIdentifier = localIdentifier
        self.priority = priority
    }

    /// The identity the provider is asked about: the local id, else the claimed id, else
    /// identifier_select for OP identifiers.
    public var requestedIdentity: String {
        if isOPIdentifier { return OpenIDMessage.identifierSelect }
        return localIdentifier ?? claimedIdentifier ?? OpenIDMessage.identifierSelect
    }
}
