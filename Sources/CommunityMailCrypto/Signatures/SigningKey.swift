import CommunityMailCOpenSSL
import Foundation

/// A private key that makes RSA (PKCS #1 v1.5) or Ed25519 signatures.
///
/// Like ``VerifyingKey``, it signs a *digest* the caller computed: the hash of the signed
/// data for RSA (with `hash`'s DigestInfo), the SHA-256 hash as the Ed25519 message for
/// RFC 8463's Ed25519-SHA256.
///
/// The key never appears in a description or an error.
public struct SigningKey: Sendable, CustomStringConvertible {
    let key: EVPKey

    /// The algorithm.
    public let kind: SignatureKeyKind

    /// The size in bits: the RSA modulus length, or 256 for Ed25519.
    public var bits: Int { key.bits }

    /// The matching public key.
    public var verifyingKey: VerifyingKey { VerifyingKey(key, kind: kind) }

    private init(_ key: EVPKey) throws(CryptoError) {
        guard let kind = key.kind else { throw .invalidKey.with(message: "the private key is neither RSA nor Ed25519") }
        self.key = key
        self.kind = kind
    }

    /// A key from PEM text: PKCS #8 (`BEGIN PRIVATE KEY`, RSA or Ed25519) or PKCS #1
    /// (`BEGIN RSA PRIVATE KEY`, what `openssl genrsa` and dkimpy's `dknewkey` write).
    /// - Throws: ``CryptoError/invalidKey`` for anything else, including an encrypted PEM
    ///   (never prompts for a passphrase).
    public init(pem: String) throws(CryptoError) {
        let bytes = Array(pem.utf8)
        guard !bytes.isEmpty, bytes.count <= 65_536 else { throw .invalidKey.with(message: "the PEM text has an impossible length") }
        let parsed: OpaquePointer? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            // A callback that supplies no passphrase: an encrypted key fails instead of
            // libcrypto's default, which would read a passphrase from the terminal.
            return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        }
        ERR_clear_error()
        guard let parsed else { throw .invalidKey.with(message: "the text is not an unencrypted PEM private key") }
        try self.init(EVPKey(taking: parsed))
    }

    /// An Ed25519 key from its 32-byte private seed (RFC 8032 §5.1.5), the form dkimpy's
    /// `dknewkey --ktype ed25519` writes in base64.
    /// - Throws: ``CryptoError/invalidKey`` when `seed` is not 32 bytes.
    public init(ed25519Seed seed: [UInt8]) throws(CryptoError) {
        guard seed.count == 32 else { throw .invalidKey.with(message: "an Ed25519 private seed is 32 bytes") }
        guard let pointer = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count) else {
            ERR_clear_error()
            throw .invalidKey.with(message: "the bytes are not an Ed25519 private key")
        }
        try self.init(EVPKey(taking: pointer))
    }

    /// A key from a key file's text, in either form the DKIM tools write: PEM (see
    /// ``init(pem:)``) or, as dkimpy's `dknewkey --ktype ed25519` writes, the base64 of a
    /// 32-byte Ed25519 seed (surrounding whitespace ignored).
    /// - Throws: ``CryptoError/invalidKey`` when the text is neither.
    public init(keyFileText text: String) throws(CryptoError) {
        if text.contains("-----BEGIN") {
            try self.init(pem: text)
            return
        }
        guard let seed = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .invalidKey.with(message: "the text is neither PEM nor a base64 Ed25519 seed")
        }
        try self.init(ed25519Seed: [UInt8](seed))
    }

    /// A new random RSA key of `bits` bits (public exponent 65537).
    /// - Throws: ``CryptoError/invalidParameter`` for sizes outside 1024...8192.
    public static func generateRSA(bits: Int = 2048) throws(CryptoError) -> SigningKey {
        guard (1024...8192).contains(bits) else { throw .invalidParameter.with(message: "RSA keys are 1024 to 8192 bits") }
        return try SigningKey(generate(EVP_PKEY_RSA) { context in EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits)) })
    }

    /// A new random Ed25519 key.
    public static func generateEd25519() throws(CryptoError) -> SigningKey {
        try SigningKey(generate(EVP_PKEY_ED25519) { _ in 1 })
    }

    private static func generate(_ type: Int32, configure: (OpaquePointer) -> Int32) throws(CryptoError) -> EVPKey {
        guard let context = EVP_PKEY_CTX_new_id(type, nil) else { throw .libcrypto("EVP_PKEY_CTX_new_id") }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1, configure(context) == 1 else { throw .libcrypto("EVP_PKEY_keygen_init") }
        var pointer: OpaquePointer?
        guard EVP_PKEY_generate(context, &pointer) == 1, let pointer else { throw .libcrypto("EVP_PKEY_generate") }
        return EVPKey(taking: pointer)
    }

    /// The key as PKCS #8 PEM (`BEGIN PRIVATE KEY`), for writing a key file.
    public func pemRepresentation() throws(CryptoError) -> String {
        guard let info = EVP_PKEY2PKCS8(key.pointer) else { throw .libcrypto("EVP_PKEY2PKCS8") }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        let length = i2d_PKCS8_PRIV_KEY_INFO(info, nil)
        guard length > 0 else { throw .libcrypto("i2d_PKCS8_PRIV_KEY_INFO") }
        var der = [UInt8](repeating: 0, count: Int(length))
        defer { SecureMemory.wipe(&der) }
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_PKCS8_PRIV_KEY_INFO(info, &cursor)
        }
        guard written == length else { throw .libcrypto("i2d_PKCS8_PRIV_KEY_INFO") }
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN PRIVATE KEY-----\n\(base64)\n-----END PRIVATE KEY-----\n"
    }

    /// This key's signature of `digest` (see the type's notes on what the digest is).
    /// - Throws: ``CryptoError/invalidParameter`` when `digest` is not `hash`'s length or an
    ///   Ed25519 key is asked for another hash than SHA-256; ``CryptoError/libcrypto`` when
    ///   signing fails.
    public func signature(forDigest digest: [UInt8], hash: HashFunction) throws(CryptoError) -> [UInt8] {
        guard digest.count == hash.digestLength else { throw .invalidParameter.with(message: "the digest has the wrong length") }
        switch kind {
        case .rsa:
            let context = try key.operationContext()
            defer { EVP_PKEY_CTX_free(context) }
            guard EVP_PKEY_sign_init(context) == 1,
                EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1,
                EVP_PKEY_CTX_set_signature_md(context, hash.evpMD) == 1
            else { throw .libcrypto("EVP_PKEY_sign_init") }
            var length = 0
            guard EVP_PKEY_sign(context, nil, &length, digest, digest.count) == 1 else { throw .libcrypto("EVP_PKEY_sign") }
            var signature = [UInt8](repeating: 0, count: length)
            guard EVP_PKEY_sign(context, &signature, &length, digest, digest.count) == 1 else { throw .libcrypto("EVP_PKEY_sign") }
            return Array(signature.prefix(length))
        case .ed25519:
            guard hash == .sha256 else { throw .invalidParameter.with(message: "Ed25519-SHA256 signs a SHA-256 digest") }
            guard let context = EVP_MD_CTX_new() else { throw .libcrypto("EVP_MD_CTX_new") }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_DigestSignInit(context, nil, nil, nil, key.pointer) == 1 else { throw .libcrypto("EVP_DigestSignInit") }
            var length = 64
            var signature = [UInt8](repeating: 0, count: length)
            guard EVP_DigestSign(context, &signature, &length, digest, digest.count) == 1 else { throw .libcrypto("EVP_DigestSign") }
            return Array(signature.prefix(length))
        }
    }

    /// `SigningKey(rsa, 2048 bits)`: the kind and size, never the key.
    public var description: String { "SigningKey(\(kind.rawValue), \(bits) bits)" }
}
