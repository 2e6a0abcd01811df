import CommunityMailCOpenSSL

/// The ChaCha20-Poly1305 AEAD of RFC 8439 section 2.8: a 32-byte key, a 12-byte nonce, a
/// 16-byte tag, and optional additional authenticated data.
public enum ChaChaPoly {
    /// Key length in bytes.
    public static let keyLength = 32
    /// Nonce length in bytes.
    public static let nonceLength = 12
    /// Tag length in bytes.
    public static let tagLength = 16

    /// Ciphertext and tag.
    public struct SealedBox: Sendable, Hashable {
        /// The encrypted bytes, as long as the plaintext.
        public var ciphertext: [UInt8]
        /// The 16-byte authentication tag.
        public var tag: [UInt8]

        /// A box from its parts.
        public init(ciphertext: [UInt8], tag: [UInt8]) {
            self.ciphertext = ciphertext
            self.tag = tag
        }
    }

    /// Encrypts and authenticates `plaintext` (and authenticates `authenticating`).
    public static func seal<P: ContiguousBytesLike, K: ContiguousBytesLike, N: ContiguousBytesLike>(
        _ plaintext: P, key: K, nonce: N, authenticating aad: [UInt8] = []
    ) throws -> SealedBox {
        let context = try CipherContext()
        try context.initialize(encrypting: true, key: key, nonce: nonce)
        try context.update(aad: aad)
        var ciphertext = try plaintext.withUnsafeBytes { (p) throws in try context.update(p) }
        do {
            try check(context.finish(), "EVP_EncryptFinal_ex(ChaCha20-Poly1305)")
        } catch {
            SecureMemory.wipe(&ciphertext)
            throw error
        }
        var tag = [UInt8](repeating: 0, count: tagLength)
        let result = tag.withUnsafeMutableBytes {
            EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_AEAD_GET_TAG, Int32(tagLength), $0.baseAddress)
        }
        try check(result, "EVP_CTRL_AEAD_GET_TAG")
        return SealedBox(ciphertext: ciphertext, tag: tag)
    }

    /// Checks the tag and decrypts.
    /// - Throws: `CryptoError.authenticationFailed` when the tag does not match; no
    ///   plaintext is returned in that case.
    public static func open<K: ContiguousBytesLike, N: ContiguousBytesLike>(
        _ box: SealedBox, key: K, nonce: N, authenticating aad: [UInt8] = []
    ) throws -> [UInt8] {
        guard box.tag.count == tagLength else { throw CryptoError.authenticationFailed }
        let context = try CipherContext()
        try context.initialize(encrypting: false, key: key, nonce: nonce)
        try context.update(aad: aad)
        var plaintext = try box.ciphertext.withUnsafeBytes { (c) throws in try context.update(c) }
        var tag = box.tag
        let set = tag.withUnsafeMutableBytes {
            EVP_CIPHER_CTX_ctrl(context.pointer, EVP_CTRL_AEAD_SET_TAG, Int32(tagLength), $0.baseAddress)
        }
        guard set == 1, context.finish() == 1 else {
            SecureMemory.wipe(&plaintext)
            ERR_clear_error()
            throw CryptoError.authenticationFailed
        }
        return plaintext
    }
}

/// One EVP cipher context for the AEAD, freed with the value.
private final class CipherContext {
    let pointer: OpaquePointer
    private var encrypting = true

    init() throws {
        guard chacha20Poly1305Cipher != nil, let pointer = EVP_CIPHER_CTX_new() else {
            throw CryptoError.libcrypto("EVP_CIPHER_CTX_new(ChaCha20-Poly1305)")
        }
        self.pointer = pointer
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }

    func initialize<K: ContiguousBytesLike, N: ContiguousBytesLike>(
        encrypting: Bool, key: K, nonce: N
    ) throws {
        self.encrypting = encrypting
        try key.withUnsafeBytes { (k) throws in
            guard k.count == ChaChaPoly.keyLength else { throw CryptoError.invalidKeyLength }
            try nonce.withUnsafeBytes { (n) throws in
                guard n.count == ChaChaPoly.nonceLength else { throw CryptoError.invalidNonceLength }
                let keyPointer = k.baseAddress!.assumingMemoryBound(to: UInt8.self)
                let noncePointer = n.baseAddress!.assumingMemoryBound(to: UInt8.self)
                let result = encrypting
                    ? EVP_EncryptInit_ex2(pointer, chacha20Poly1305Cipher, keyPointer, noncePointer, nil)
                    : EVP_DecryptInit_ex2(pointer, chacha20Poly1305Cipher, keyPointer, noncePointer, nil)
                try check(result, "EVP_CipherInit(ChaCha20-Poly1305)")
            }
        }
    }

    func update(aad: [UInt8]) throws {
        guard !aad.isEmpty else { return }
        guard aad.count <= Int(Int32.max) else { throw CryptoError.invalidParameter }
        var written: Int32 = 0
        let result = aad.withUnsafeBufferPointer {
            encrypting
                ? EVP_EncryptUpdate(pointer, nil, &written, $0.baseAddress, Int32($0.count))
                : EVP_DecryptUpdate(pointer, nil, &written, $0.baseAddress, Int32($0.count))
        }
        try check(result, "EVP_CipherUpdate(AAD)")
    }

    func update(_ input: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard input.count <= Int(Int32.max) else { throw CryptoError.invalidParameter }
        var output = [UInt8](repeating: 0, count: input.count)
        guard input.count > 0 else { return output }
        var written: Int32 = 0
        let result = output.withUnsafeMutableBufferPointer { o in
            let source = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
            return encrypting
                ? EVP_EncryptUpdate(pointer, o.baseAddress, &written, source, Int32(input.count))
                : EVP_DecryptUpdate(pointer, o.baseAddress, &written, source, Int32(input.count))
        }
        try check(result, "EVP_CipherUpdate(ChaCha20-Poly1305)")
        guard Int(written) == input.count else { throw CryptoError.libcrypto("EVP_CipherUpdate length") }
        return output
    }

    /// libcrypto's final step: 1 on success; on decryption, 0 when the tag does not match.
    func finish() -> Int32 {
        var scratch = [UInt8](repeating: 0, count: 16)
        var written: Int32 = 0
        return scratch.withUnsafeMutableBufferPointer {
            encrypting
                ? EVP_EncryptFinal_ex(pointer, $0.baseAddress, &written)
                : EVP_DecryptFinal_ex(pointer, $0.baseAddress, &written)
        }
    }
}

/// libcrypto's ChaCha20-Poly1305 implementation, fetched once from the default provider.
nonisolated(unsafe) let chacha20Poly1305Cipher: OpaquePointer? = EVP_CIPHER_fetch(nil, "ChaCha20-Poly1305", nil)
