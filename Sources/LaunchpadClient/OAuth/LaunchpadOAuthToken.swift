/// An OAuth 1.0 access token the host obtained from Launchpad (its `+authorize-token`
/// flow). The secret never appears in descriptions, reflection, errors or events.
public struct LaunchpadOAuthToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The application's name as registered with the token (`oauth_consumer_key`).
    public var consumerKey: String
    /// The access token (`oauth_token`).
    public var token: String
    /// The access token's secret.
    public var tokenSecret: String
    /// The consumer secret; Launchpad's is empty. Default: empty.
    public var consumerSecret: String

    /// A token.
    public init(consumerKey: String, token: String, tokenSecret: String, consumerSecret: String = "") {
        self.consumerKey = consumerKey
        self.token = token
        self.tokenSecret = tokenSecret
        self.consumerSecret = consumerSecret
    }

    /// The consumer key and token only.
    public var description: String { "LaunchpadOAuthToken(consumer: \(consumerKey), token: \(token), secret: <redacted>)" }
    /// The same as ``description``.
    public var debugDescription: String { description }
    /// Reflection without the secrets, so `dump` cannot print them.
    public var customMirror: Mirror {
        Mirror(self, children: ["consumerKey": consumerKey, "token": token, "tokenSecret": "<redacted>"])
    }
}
