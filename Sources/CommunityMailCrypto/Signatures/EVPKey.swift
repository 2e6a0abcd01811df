import CommunityMailCOpenSSL

/// One libcrypto key (`EVP_PKEY`), freed with the last reference.
///
/// libcrypto's key objects may be shared between threads for signing and verifying as
/// long as nobody changes them; nothing here changes a key after it is made, and each
/// operation uses its own context.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    /// The key's algorithm, or nil for any other kind of key.
    var kind: SignatureKeyKind? {
        switch EVP_PKEY_get_base_id(pointer) {
        case EVP_PKEY_RSA: .rsa
        case EVP_PKEY_ED25519: .ed25519
        default: nil
        }
    }

    /// The key's size in bits (the modulus for RSA, 256 for Ed25519).
    var bits: Int { Int(EVP_PKEY_get_bits(pointer)) }

    /// The public key in the form DKIM publishes (RFC 6376 §3.6.1, RFC 8463 §4): an RSA
    /// key as DER SubjectPublicKeyInfo, an Ed25519 key as its 32 raw bytes.
    func publicKeyBytes() throws(CryptoError) -> [UInt8] {
        switch kind {
        case .ed25519:
            var length = 0
            guard EVP_PKEY_get_raw_public_key(pointer, nil, &length) == 1 else { throw .libcrypto("EVP_PKEY_get_raw_public_key") }
            var bytes = [UInt8](repeating: 0, count: length)
            guard EVP_PKEY_get_raw_public_key(pointer, &bytes, &length) == 1 else { throw .libcrypto("EVP_PKEY_get_raw_public_key") }
            return Array(bytes.prefix(length))
        case .rsa, nil:
            let length = i2d_PUBKEY(pointer, nil)
            guard length > 0 else { throw .libcrypto("i2d_PUBKEY") }
            var bytes = [UInt8](repeating: 0, count: Int(length))
            let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
                var cursor = buffer.baseAddress
                return i2d_PUBKEY(pointer, &cursor)
            }
            guard written == length else { throw .libcrypto("i2d_PUBKEY") }
            return bytes
        }
    }

    /// A fresh context for one operation on this key.
    func operationContext() throws(CryptoError) -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new(pointer, nil) else { throw .libcrypto("EVP_PKEY_CTX_new") }
        return context
    }
}
