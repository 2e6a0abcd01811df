import CommunityMailCrypto

/// A hash function OpenID 2.0 names: for association MACs (`HMAC-SHA1`, `HMAC-SHA256`) and
/// for hashing a Diffie-Hellman secret (`DH-SHA1`, `DH-SHA256`).
public enum OpenIDHashAlgorithm: String, Sendable, Hashable, Codable, CaseIterable {
    /// SHA-1, 20-byte digests.
    case sha1 = "SHA1"
    /// SHA-256, 32-byte digests.
    case sha256 = "SHA256"

    /// The length of a digest, in bytes.
    public var digestLength: Int { function.digestLength }

    /// The crypto layer's implementation.
    var function: HashFunction {
        switch self {
        case .sha1: .sha1
        case .sha256: .sha256
        }
    }
}
