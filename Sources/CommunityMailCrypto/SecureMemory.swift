import CommunityMailCOpenSSL

/// Wiping of key material and constant-time comparison.
public enum SecureMemory {
    /// Overwrites every byte of `bytes` with zero in a way the compiler may not elide.
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { wipe($0) }
    }

    /// Overwrites the memory behind `buffer` with zeros (OpenSSL's `OPENSSL_cleanse`).
    public static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        OPENSSL_cleanse(base, buffer.count)
    }
}

/// Comparison whose running time does not depend on where two byte strings differ.
public enum ConstantTime {
    /// True when `a` and `b` hold the same bytes. Lengths are compared first (a length is
    /// not a secret); the contents are compared with `CRYPTO_memcmp`.
    public static func equals<A: ContiguousBytesLike, B: ContiguousBytesLike>(_ a: A, _ b: B) -> Bool {
        a.withUnsafeBytes { ra in
            b.withUnsafeBytes { rb in
                guard ra.count == rb.count else { return false }
                guard ra.count > 0 else { return true }
                return CRYPTO_memcmp(ra.baseAddress!, rb.baseAddress!, ra.count) == 0
            }
        }
    }
}
