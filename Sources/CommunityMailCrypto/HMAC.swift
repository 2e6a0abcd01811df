import CommunityMailCOpenSSL

/// HMAC (RFC 2104) over SHA-1 or SHA-256.
public enum HMAC {
    /// The authentication code of `message` under `key`.
    /// - Parameters:
    ///   - message: the bytes to authenticate.
    ///   - key: the secret key, any length (longer keys are hashed first, per RFC 2104).
    ///   - hash: SHA-1 or SHA-256.
    public static func authenticationCode<M: ContiguousBytesLike, K: ContiguousBytesLike>(
        for message: M, key: K, using hash: HashFunction
    ) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: hash.digestLength)
        var length: UInt32 = 0
        let ok: Bool = key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                out.withUnsafeMutableBufferPointer { o in
                    guard k.count <= Int(Int32.max) else { return false }
                    return CommunityMailCOpenSSL.HMAC(
                        hash.evpMD, k.nonNullBase, Int32(k.count), m.nonNullBase.assumingMemoryBound(to: UInt8.self),
                        m.count, o.baseAddress, &length) != nil
                }
            }
        }
        guard ok, Int(length) == hash.digestLength else { throw CryptoError.libcrypto("HMAC-\(hash.rawValue)") }
        return out
    }

    /// True when `code` is the authentication code of `message` under `key`, compared in
    /// constant time.
    public static func isValidAuthenticationCode<C: ContiguousBytesLike, M: ContiguousBytesLike, K: ContiguousBytesLike>(
        _ code: C, for message: M, key: K, using hash: HashFunction
    ) throws -> Bool {
        var expected = try authenticationCode(for: message, key: key, using: hash)
        defer { SecureMemory.wipe(&expected) }
        return ConstantTime.equals(expected, code)
    }
}
