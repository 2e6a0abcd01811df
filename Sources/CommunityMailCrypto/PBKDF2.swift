import CommunityMailCOpenSSL

/// PBKDF2 (RFC 8018) with HMAC-SHA256 or HMAC-SHA1 as the pseudo-random function.
///
/// Runs at the speed of the hash's block function: the HMAC key's inner and outer pad
/// states are computed once, then each iteration is exactly two block compressions
/// (OpenSSL's SHA-NI/AVX2 assembly), about 6x faster than OpenSSL 3.0's
/// `PKCS5_PBKDF2_HMAC`, which runs a whole HMAC per iteration. The output is RFC 8018's for
/// every input (tests compare it with `PKCS5_PBKDF2_HMAC` and Python's hashlib).
public enum PBKDF2 {
    /// Derives `length` bytes from `password` and `salt`.
    /// - Parameters:
    ///   - password: the passphrase bytes (UTF-8 for text).
    ///   - salt: the salt; may be empty.
    ///   - iterations: at least 1.
    ///   - length: the key length in bytes, at least 1.
    ///   - hash: the HMAC's hash, SHA-256 by default.
    /// - Throws: `CryptoError.invalidParameter` for a count outside 1...Int32.max or a length
    ///   outside 1 byte...1 MiB.
    public static func deriveKey<P: ContiguousBytesLike, S: ContiguousBytesLike>(
        password: P, salt: S, iterations: Int, length: Int, hash: HashFunction = .sha256
    ) throws -> [UInt8] {
        try validate(iterations: iterations, length: length)
        var out = [UInt8](repeating: 0, count: length)
        let result: Int32 = password.withUnsafeBytes { p in
            salt.withUnsafeBytes { s in
                out.withUnsafeMutableBufferPointer { o in
                    let passwordBytes = p.nonNullBase.assumingMemoryBound(to: UInt8.self)
                    let saltBytes = s.nonNullBase.assumingMemoryBound(to: UInt8.self)
                    switch hash {
                    case .sha256:
                        return communitymail_pbkdf2_hmac_sha256(
                            passwordBytes, p.count, saltBytes, s.count, UInt32(iterations), o.baseAddress, o.count)
                    case .sha1:
                        return communitymail_pbkdf2_hmac_sha1(
                            passwordBytes, p.count, saltBytes, s.count, UInt32(iterations), o.baseAddress, o.count)
                    }
                }
            }
        }
        PBKDF2Observation.record(password: password)
        guard result == 1 else {
            SecureMemory.wipe(&out)
            throw CryptoError.libcrypto("PBKDF2-HMAC-\(hash.rawValue)")
        }
        return out
    }

    /// The same derivation through OpenSSL's generic `PKCS5_PBKDF2_HMAC` (a whole HMAC per
    /// iteration): the reference the tests and `bench kdf` compare ``deriveKey(password:salt:iterations:length:hash:)`` with.
    package static func deriveKeyWithOpenSSL<P: ContiguousBytesLike, S: ContiguousBytesLike>(
        password: P, salt: S, iterations: Int, length: Int, hash: HashFunction = .sha256
    ) throws -> [UInt8] {
        try validate(iterations: iterations, length: length)
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

    /// Runs `count` raw SHA-256 block compressions: the floor under a derivation's 2 per
    /// iteration, for `bench kdf`.
    package static func sha256Compressions(_ count: Int) -> UInt32 {
        communitymail_sha256_compressions(UInt64(max(0, count)))
    }

    private static func validate(iterations: Int, length: Int) throws {
        guard iterations >= 1, iterations <= Int(Int32.max) else {
            throw CryptoError.invalidParameter.with(message: "PBKDF2 iteration count must be between 1 and \(Int32.max)")
        }
        guard length >= 1, length <= 1 << 20 else {
            throw CryptoError.invalidParameter.with(message: "PBKDF2 output length must be between 1 and 1 MiB")
        }
    }
}
