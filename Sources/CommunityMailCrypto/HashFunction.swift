import CommunityMailCOpenSSL

/// The hash functions the project uses: SHA-1 (OpenID's HMAC-SHA1) and SHA-256.
public enum HashFunction: String, Sendable, CaseIterable {
    /// SHA-1 (FIPS 180-4); 20-byte digests. Used only where a protocol requires it.
    case sha1 = "SHA1"
    /// SHA-256 (FIPS 180-4); 32-byte digests.
    case sha256 = "SHA256"

    /// The digest length in bytes.
    public var digestLength: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        }
    }

    /// libcrypto's method table for this hash.
    var evpMD: OpaquePointer {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        }
    }

    /// The digest of `data`.
    public func hash<D: ContiguousBytesLike>(_ data: D) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: digestLength)
        var length: UInt32 = 0
        let result = data.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.nonNullBase, input.count, output.baseAddress, &length, evpMD, nil)
            }
        }
        try check(result, "EVP_Digest(\(rawValue))")
        guard Int(length) == digestLength else { throw CryptoError.libcrypto("EVP_Digest(\(rawValue)) length") }
        return out
    }
}

/// SHA-1, for protocols that require it.
public enum SHA1 {
    /// The 20-byte SHA-1 digest of `data`.
    public static func hash<D: ContiguousBytesLike>(_ data: D) throws -> [UInt8] {
        try HashFunction.sha1.hash(data)
    }
}

/// SHA-256.
public enum SHA256 {
    /// The 32-byte SHA-256 digest of `data`.
    public static func hash<D: ContiguousBytesLike>(_ data: D) throws -> [UInt8] {
        try HashFunction.sha256.hash(data)
    }
}
