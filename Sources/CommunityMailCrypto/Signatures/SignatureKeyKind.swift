/// The public-key algorithms the project signs and verifies with (DKIM, ARC).
public enum SignatureKeyKind: String, Sendable, Hashable, CaseIterable {
    /// RSA with PKCS #1 v1.5 signatures (RFC 8017 §8.2).
    case rsa
    /// Ed25519, PureEdDSA (RFC 8032 §5.1).
    case ed25519
}
