import CommunityMailCOpenSSL

/// PBKDF2 (RFC 8018) with HMAC-SHA256 or HMAC-SHA1 as the pseudo-random function.
public enum PBKDF2 {
    /// Derives `length` bytes from `password` and `salt`.
    /// - Parameters:
    ///   - password: the passphrase bytes (UTF-8 for text).
    ///   - salt: the salt; may be empty.
    ///   - iterations: at least 1.
    ///   - length: the key length in bytes, at least 1.
    ///   - hash: the HMAC's hash, SHA-256 by default.
    /// - Throws: `CryptoError.invalidParameter` for a zero or negative count or length.
    public static func deriveKey<P: ContiguousBytesLike, S: ContiguousBytesLike>(
        password: P, salt: S, iterations: Int, length: Int, hash: HashFunction = .sha256
    ) throws -> [UInt8] {
        guard iterations >= 1, iterations <= Int(Int32.max) else {
            throw CryptoError.invalidParameter.with(message: "PBKDF2 iteration count must be between 1 and \(Int32.max)")
        }
        guard length >= 1, length <= 1 << 20 else {
            throw CryptoError.invalidParameter.with(message: "PBKDF2 output length must be between 1 and 1 MiB")
        }
        var out = [UInt8](repeating: 0, count: length)
        let result: Int32 = password.withUnsafeBytes { p in
            salt.withUnsafeBytes { s in
                out.withUnsafeMutableBufferPointer { o in
                    guard p.count <= Int(Int32.max), s.count <= Int(Int32.max) else { return 0 }
                    return PKCS5_PBKDF2_HMAC(
                        p.nonNullBase.assumingMemoryBound(to: CChar.self), Int32(p.count),
                        s.nonNullBase.assumingMemoryBound(to: UInt8.self), Int32(s.count),
                        Int32(iterations), hash.evpMD, Int32(length), o.baseAddress)
                }
            }
        }
        try check(result, "PBKDF2-HMAC-\(hash.rawValue)")
        return out
    }
}
