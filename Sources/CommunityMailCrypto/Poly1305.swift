import CommunityMailCOpenSSL

/// The Poly1305 one-time authenticator of RFC 8439: a 32-byte one-time key and a 16-byte tag.
///
/// This is raw Poly1305 over the bytes given (no AAD, padding or lengths), as
/// SQLite3 Multiple Ciphers uses it; ``ChaChaPoly`` is the RFC 8439 AEAD.
public enum Poly1305 {
    /// Key length in bytes.
    public static let keyLength = 32
    /// Tag length in bytes.
    public static let tagLength = 16

    /// The tag of `message` under the one-time `key`.
    public static func authenticationCode<M: ContiguousBytesLike, K: ContiguousBytesLike>(
        for message: M, key: K
    ) throws -> [UInt8] {
        let context = try Context()
        var tag = [UInt8](repeating: 0, count: tagLength)
        try message.withUnsafeBytes { (m) throws in
            try tag.withUnsafeMutableBytes { (t) throws in
                try context.authenticate(key: key, message: m, tag: t)
            }
        }
        return tag
    }

    /// A reusable libcrypto MAC context. Not thread-safe: use one per task or thread.
    public final class Context {
        private let context: OpaquePointer

        /// Allocates the context.
        public init() throws {
            guard let mac = poly1305MAC, let context = EVP_MAC_CTX_new(mac) else {
                throw CryptoError.libcrypto("EVP_MAC_CTX_new(POLY1305)")
            }
            self.context = context
        }

        deinit { EVP_MAC_CTX_free(context) }

        /// Writes the 16-byte tag of `message` under `key` into `tag`.
        public func authenticate<K: ContiguousBytesLike>(
            key: K, message: UnsafeRawBufferPointer, tag: UnsafeMutableRawBufferPointer
        ) throws {
            guard tag.count == Poly1305.tagLength else { throw CryptoError.invalidParameter }
            try key.withUnsafeBytes { (k) throws in
                guard k.count == Poly1305.keyLength else { throw CryptoError.invalidKeyLength }
                try check(
                    EVP_MAC_init(context, k.baseAddress!.assumingMemoryBound(to: UInt8.self), k.count, nil),
                    "EVP_MAC_init(POLY1305)")
            }
            try check(
                EVP_MAC_update(context, message.nonNullBase.assumingMemoryBound(to: UInt8.self), message.count),
                "EVP_MAC_update(POLY1305)")
            var written = 0
            try check(
                EVP_MAC_final(context, tag.baseAddress!.assumingMemoryBound(to: UInt8.self), &written, tag.count),
                "EVP_MAC_final(POLY1305)")
            guard written == Poly1305.tagLength else { throw CryptoError.libcrypto("EVP_MAC_final(POLY1305) length") }
        }
    }
}

/// libcrypto's Poly1305 implementation, fetched once from the default provider.
nonisolated(unsafe) let poly1305MAC: OpaquePointer? = EVP_MAC_fetch(nil, "POLY1305", nil)
