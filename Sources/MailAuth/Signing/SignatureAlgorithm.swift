public import CommunityMailCrypto

/// A DKIM (and ARC) signing algorithm, the `a=` tag (RFC 6376 §3.3, RFC 8463 §3).
public enum SignatureAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// RSA PKCS #1 v1.5 over SHA-1: verified only, and reported as weak (RFC 8301 says
    /// signers must not use it and verifiers must not count it as valid; hosts choose).
    case rsaSHA1 = "rsa-sha1"
    /// RSA PKCS #1 v1.5 over SHA-256 (RFC 6376).
    case rsaSHA256 = "rsa-sha256"
    /// Ed25519 over the SHA-256 hash of the signed data (RFC 8463).
    case ed25519SHA256 = "ed25519-sha256"

    /// The algorithm an `a=` value names (any case), or nil for one we do not know.
    public init?(tagValue: String) {
        self.init(rawValue: tagValue.lowercased())
    }

    /// The key algorithm (`k=` in the key record).
    public var keyKind: SignatureKeyKind {
        switch self {
        case .rsaSHA1, .rsaSHA256: .rsa
        case .ed25519SHA256: .ed25519
        }
    }

    /// The hash function over the body and the header.
    public var hash: HashFunction {
        switch self {
        case .rsaSHA1: .sha1
        case .rsaSHA256, .ed25519SHA256: .sha256
        }
    }

    /// The hash's name as key records list it in `h=` (`sha1`, `sha256`).
    var hashTagName: String { hash == .sha1 ? "sha1" : "sha256" }

    /// True for algorithms RFC 8301 retired (rsa-sha1).
    public var isWeak: Bool { self == .rsaSHA1 }

    /// True for the algorithms this library signs with (rsa-sha256, ed25519-sha256).
    public var canSign: Bool { self != .rsaSHA1 }
}
