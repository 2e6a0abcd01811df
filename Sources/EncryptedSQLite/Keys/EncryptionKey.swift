import CommunityMailCrypto

/// The secret that opens an encrypted database: a passphrase (stretched with
/// PBKDF2-HMAC-SHA256 over the file's salt) or a raw 32-byte key used as is.
///
/// The bytes live in memory that is wiped when the last copy of the key is released.
/// `description` never shows them.
public struct EncryptionKey: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case passphrase
        case raw
    }

    let kind: Kind
    let secret: SecretBytes

    private init(kind: Kind, secret: SecretBytes) {
        self.kind = kind
        self.secret = secret
    }

    /// A passphrase; its UTF-8 bytes are stretched with PBKDF2 (as sqlite3mc's `PRAGMA key`).
    /// - Throws: ``EncryptedSQLiteError/invalidKey`` when it is empty.
    public static func passphrase(_ passphrase: String) throws(EncryptedSQLiteError) -> EncryptionKey {
        var bytes = Array(passphrase.utf8)
        guard !bytes.isEmpty else { throw EncryptedSQLiteError.invalidKey.with(message: "the passphrase is empty") }
        return EncryptionKey(kind: .passphrase, secret: SecretBytes(consuming: &bytes))
    }

    /// A raw 32-byte key, used without key derivation (as sqlite3mc's `PRAGMA key="x'<64 hex>'"`).
    /// A host may derive such a key once and cache it to avoid PBKDF2 on every open.
    /// - Throws: ``EncryptedSQLiteError/invalidKey`` when it is not 32 bytes.
    public static func raw(_ key: [UInt8]) throws(EncryptedSQLiteError) -> EncryptionKey {
        guard key.count == 32 else {
            throw EncryptedSQLiteError.invalidKey.with(message: "a raw key must be 32 bytes, not \(key.count)")
        }
        return EncryptionKey(kind: .raw, secret: SecretBytes(copying: key))
    }

    /// True for a passphrase, false for a raw key.
    public var isPassphrase: Bool { kind == .passphrase }

    /// "EncryptionKey(passphrase, redacted)" or "EncryptionKey(raw, redacted)".
    public var description: String { "EncryptionKey(\(kind == .passphrase ? "passphrase" : "raw"), redacted)" }

    /// The 32-byte master key for a database whose salt is `salt`.
    func masterKey(salt: [UInt8], iterations: Int) throws -> SecretBytes {
        switch kind {
        case .raw:
            return secret
        case .passphrase:
            var derived = try PBKDF2.deriveKey(
                password: secret.bytes, salt: salt, iterations: iterations, length: 32, hash: .sha256)
            return SecretBytes(consuming: &derived)
        }
    }
}
