internal import CommunityMailCrypto

extension DKIMSigner {
    /// A signer with a key from PEM text: PKCS #8 (`BEGIN PRIVATE KEY`, RSA or Ed25519) or
    /// PKCS #1 (`BEGIN RSA PRIVATE KEY`, what `openssl genrsa` and dkimpy's `dknewkey` write).
    /// - Throws: ``MailAuthError/invalidKey`` when the text is not such a key (the error
    ///   never contains it) or is an RSA key under 1024 bits; see ``init(key:configuration:)``.
    public init(privateKeyPEM pem: String, configuration: Configuration) throws(MailAuthError) {
        let key: SigningKey
        do {
            key = try SigningKey(pem: pem)
        } catch {
            throw .invalidKey.with(message: "the private key is not a PEM RSA or Ed25519 key", cause: error)
        }
        try self.init(key: key, configuration: configuration)
    }

    /// A signer with an Ed25519 key given as its 32-byte seed (RFC 8032 §5.1.5; dkimpy's
    /// `dknewkey --ktype ed25519` writes it in base64).
    /// - Throws: ``MailAuthError/invalidKey`` when `seed` is not 32 bytes.
    public init(ed25519Seed seed: [UInt8], configuration: Configuration) throws(MailAuthError) {
        let key: SigningKey
        do {
            key = try SigningKey(ed25519Seed: seed)
        } catch {
            throw .invalidKey.with(message: "an Ed25519 seed is 32 bytes", cause: error)
        }
        try self.init(key: key, configuration: configuration)
    }

    /// The TXT record to publish at `<selector>._domainkey.<domain>` for this signer's key.
    /// - Throws: ``MailAuthError/invalidKey`` when the public key cannot be exported.
    public func publicKeyRecord() throws(MailAuthError) -> String {
        try DKIMKeyRecord.text(publishing: key.verifyingKey)
    }

    /// The record a verifier would read for this signer's key (to give keys directly to a
    /// ``StaticKeySource``).
    public var keyRecord: DKIMKeyRecord { DKIMKeyRecord(key: key.verifyingKey) }
}
