import CommunityMailCOpenSSL

/// A public key that checks RSA (PKCS #1 v1.5) or Ed25519 signatures.
///
/// Signatures are checked over a *digest* the caller computed (with ``IncrementalHash`` or
/// ``HashFunction``), because the protocols that use it hash first: DKIM's RSA signs the
/// hash with a DigestInfo prefix (RFC 8017 §9.2), and RFC 8463's Ed25519-SHA256 signs the
/// 32-byte SHA-256 hash itself as the Ed25519 message.
///
/// Parse a key once and keep it: checking is cheap, parsing is not.
public struct VerifyingKey: Sendable {
    let key: EVPKey

    /// The algorithm.
    public let kind: SignatureKeyKind

    /// The size in bits: the RSA modulus length, or 256 for Ed25519.
    public var bits: Int { key.bits }

    init(_ key: EVPKey, kind: SignatureKeyKind) {
        self.key = key
        self.kind = kind
    }

    /// An RSA public key from DER: a SubjectPublicKeyInfo (what DKIM key records carry,
    /// RFC 6376 §3.6.1) or, as some publishers do, a bare PKCS #1 RSAPublicKey.
    /// - Throws: ``CryptoError/invalidKey`` when the bytes are neither, or hold another kind
    ///   of key.
    public init(rsaDER der: [UInt8]) throws(CryptoError) {
        guard !der.isEmpty, der.count <= 16_384 else { throw .invalidKey.with(message: "the RSA key has an impossible length") }
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            let end = buffer.baseAddress.map { $0 + buffer.count }
            if let key = d2i_PUBKEY(nil, &cursor, buffer.count) {
                if cursor == end { return key }
                EVP_PKEY_free(key)  // trailing bytes: not a key record we accept
            }
            ERR_clear_error()
            cursor = buffer.baseAddress
            if let key = d2i_PublicKey(EVP_PKEY_RSA, nil, &cursor, buffer.count) {
                if cursor == end { return key }
                EVP_PKEY_free(key)
            }
            return nil
        }
        ERR_clear_error()
        guard let parsed else { throw .invalidKey.with(message: "the bytes are not a DER RSA public key") }
        let key = EVPKey(taking: parsed)
        guard key.kind == .rsa else { throw .invalidKey.with(message: "the DER public key is not an RSA key") }
        self.init(key, kind: .rsa)
    }

    /// An Ed25519 public key from its 32 raw bytes (RFC 8032 §5.1.5; what RFC 8463 key
    /// records carry).
    /// - Throws: ``CryptoError/invalidKey`` when `raw` is not 32 bytes or not a valid key.
    public init(ed25519Raw raw: [UInt8]) throws(CryptoError) {
        guard raw.count == 32 else { throw .invalidKey.with(message: "an Ed25519 public key is 32 bytes") }
        guard let pointer = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count) else {
            ERR_clear_error()
            throw .invalidKey.with(message: "the bytes are not an Ed25519 public key")
        }
        self.init(EVPKey(taking: pointer), kind: .ed25519)
    }

    /// The key in the form DKIM publishes: DER SubjectPublicKeyInfo for RSA, 32 raw bytes
    /// for Ed25519.
    public func publicKeyBytes() throws(CryptoError) -> [UInt8] { try key.publicKeyBytes() }

    /// True when `signature` is this key's signature of `digest`.
    ///
    /// For RSA, `digest` is the `hash` of the signed data and the signature is PKCS #1 v1.5
    /// with `hash`'s DigestInfo. For Ed25519, `digest` is the Ed25519 message itself (RFC
    /// 8463: the SHA-256 hash of the signed data) and `hash` must be `.sha256`.
    /// Any malformed signature is simply not valid; this never throws.
    public func isValidSignature(_ signature: [UInt8], forDigest digest: [UInt8], hash: HashFunction) -> Bool {
        guard !signature.isEmpty, signature.count <= 8192, digest.count == hash.digestLength else { return false }
        defer { ERR_clear_error() }
        switch kind {
        case .rsa:
            guard let context = try? key.operationContext() else { return false }
            defer { EVP_PKEY_CTX_free(context) }
            guard EVP_PKEY_verify_init(context) == 1,
                EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1,
                EVP_PKEY_CTX_set_signature_md(context, hash.evpMD) == 1
            else { return false }
            return EVP_PKEY_verify(context, signature, signature.count, digest, digest.count) == 1
        case .ed25519:
            guard hash == .sha256, let context = EVP_MD_CTX_new() else { return false }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_DigestVerifyInit(context, nil, nil, nil, key.pointer) == 1 else { return false }
            return EVP_DigestVerify(context, signature, signature.count, digest, digest.count) == 1
        }
    }
}
