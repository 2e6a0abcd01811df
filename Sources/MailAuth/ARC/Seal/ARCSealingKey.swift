public import CommunityMailCrypto

/// The key a sealer signs with and where receivers find its public half: the TXT record at
/// `selector._domainkey.domain` (the same record form as DKIM's, RFC 6376 §3.6.1).
public struct ARCSealingKey: Sendable {
    /// The selector (`s=`).
    public var selector: String
    /// The signing domain (`d=`).
    public var domain: String
    /// The private key: RSA (signs rsa-sha256) or Ed25519 (signs ed25519-sha256, RFC 8463).
    public var signingKey: SigningKey

    /// A key from its parts.
    public init(selector: String, domain: String, signingKey: SigningKey) {
        self.selector = selector
        self.domain = domain
        self.signingKey = signingKey
    }

    /// The `a=` algorithm this key signs with.
    var algorithm: SignatureAlgorithm { signingKey.kind == .ed25519 ? .ed25519SHA256 : .rsaSHA256 }
}
