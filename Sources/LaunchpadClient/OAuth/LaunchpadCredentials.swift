/// How the client identifies itself to Launchpad.
public enum LaunchpadCredentials: Sendable, Hashable, CustomStringConvertible {
    /// No credentials: public data only; private fields come back redacted.
    case anonymous
    /// An OAuth 1.0 access token, signed with PLAINTEXT as launchpadlib does.
    case oauth(LaunchpadOAuthToken)

    /// `anonymous` or the consumer key; never a secret.
    public var description: String {
        switch self {
        case .anonymous: "anonymous"
        case .oauth(let token): "OAuth(consumer: \(token.consumerKey))"
        }
    }

    /// A key for caches: requests made with different credentials may see different data.
    var cacheIdentity: String {
        switch self {
        case .anonymous: "anonymous"
        case .oauth(let token): "oauth:\(token.consumerKey):\(token.token)"
        }
    }
}
