public import CommunityMailCrypto
internal import Foundation

/// A DKIM public key record, the TXT record at `<selector>._domainkey.<domain>` (RFC 6376
/// §3.6.1, RFC 8463 §4). ARC uses the same records (RFC 8617 §4.1.3).
///
/// Parsing checks the record and reads the key once: keep the record and verify with it
/// many times.
public struct DKIMKeyRecord: Sendable {
    /// The key algorithm (`k=`, default `rsa`).
    public let keyKind: SignatureKeyKind
    /// The key, or nil when the record revokes it (`p=` empty).
    public let key: VerifyingKey?
    /// The hash algorithms the key may be used with (`h=`); nil when the record does not
    /// restrict them.
    public let acceptableHashes: [String]?
    /// The service types (`s=`: `email` or `*`); `["*"]` when absent.
    public let serviceTypes: [String]
    /// `t=y`: the domain is testing DKIM (verifiers must not treat its messages differently).
    public let isTesting: Bool
    /// `t=s`: the `i=` domain of a signature must be `d=` itself, not a subdomain.
    public let requiresStrictIdentity: Bool

    /// True when `p=` is empty: the key was revoked.
    public var isRevoked: Bool { key == nil }

    /// True when `s=` allows e-mail (`email` or `*`).
    public var allowsEmail: Bool { serviceTypes.contains("*") || serviceTypes.contains("email") }

    /// True when `h=` allows `algorithm`'s hash (or has no `h=`).
    public func allows(_ algorithm: SignatureAlgorithm) -> Bool {
        guard let acceptableHashes else { return true }
        return acceptableHashes.contains(algorithm.hashTagName)
    }

    /// Parses a record's text (a TXT record's strings joined).
    ///
    /// `v=`, when present, must come first and be `DKIM1`; `k=` must be `rsa` or
    /// `ed25519`; `p=` must be base64 of a DER SubjectPublicKeyInfo (or PKCS #1 key) for RSA
    /// or 32 raw bytes for Ed25519, or empty (revoked). Unknown tags are ignored, as RFC 6376
    /// asks; unknown `h=`, `s=` and `t=` items too.
    /// - Throws: ``MailAuthError/invalidRecord`` for a record that breaks these rules,
    ///   ``MailAuthError/limitExceeded`` for one beyond ``TagList``'s bounds.
    public init(parsing text: String) throws(MailAuthError) {
        let tags = try TagList(parsing: text)
        if let version = tags.tag("v") {
            guard tags.tags.first?.name == "v" else { throw .invalidRecord.with(message: "v= is not the first tag of the key record") }
            guard version.value == "DKIM1" else { throw .invalidRecord.with(message: "the key record's version is not DKIM1") }
        }
        let kindName = tags["k"]?.lowercased() ?? "rsa"
        guard let kind = SignatureKeyKind(rawValue: kindName) else {
            throw .invalidRecord.with(message: "the key record's k= names an unknown key type")
        }
        guard let publicKey = tags["p"] else { throw .invalidRecord.with(message: "the key record has no p= tag") }
        guard let keyBytes = TagList.base64Bytes(publicKey) else {
            throw .invalidRecord.with(message: "the key record's p= is not base64")
        }
        if keyBytes.isEmpty {
            key = nil
        } else {
            do {
                switch kind {
                case .rsa: key = try VerifyingKey(rsaDER: keyBytes)
                case .ed25519: key = try VerifyingKey(ed25519Raw: keyBytes)
                }
            } catch {
                throw .invalidRecord.with(message: "the key record's p= is not a \(kind.rawValue) public key", cause: error)
            }
        }
        keyKind = kind
        acceptableHashes = tags["h"].map { TagList.items($0).map { $0.lowercased() } }
        serviceTypes = tags["s"].map { TagList.items($0).map { $0.lowercased() } } ?? ["*"]
        let flags = tags["t"].map { TagList.items($0).map { $0.lowercased() } } ?? []
        isTesting = flags.contains("y")
        requiresStrictIdentity = flags.contains("s")
    }

    /// A record for a key given directly (tests, benchmarks, keys from configuration), with
    /// no restrictions.
    public init(key: VerifyingKey) {
        self.keyKind = key.kind
        self.key = key
        self.acceptableHashes = nil
        self.serviceTypes = ["*"]
        self.isTesting = false
        self.requiresStrictIdentity = false
    }

    /// The TXT text that publishes `key` (`v=DKIM1; k=…; p=…`), for a zone file or a test's
    /// DNS server.
    /// - Throws: ``MailAuthError/invalidKey`` when the key cannot be exported.
    public static func text(publishing key: VerifyingKey) throws(MailAuthError) -> String {
        let bytes: [UInt8]
        do {
            bytes = try key.publicKeyBytes()
        } catch {
            throw .invalidKey.with(message: "the public key cannot be exported", cause: error)
        }
        return "v=DKIM1; k=\(key.kind.rawValue); p=\(Data(bytes).base64EncodedString())"
    }
}
