import CommunityMailCrypto
public import Foundation
import HTTPTransport

/// A shared secret established with a provider (section 8), used to check the signatures of
/// its assertions without a round trip.
public struct OpenIDAssociation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The MAC algorithm of an association (`openid.assoc_type`).
    public enum AssociationType: String, Sendable, Hashable, Codable, CaseIterable {
        /// HMAC-SHA1, 20-byte secrets.
        case hmacSHA1 = "HMAC-SHA1"
        /// HMAC-SHA256, 32-byte secrets.
        case hmacSHA256 = "HMAC-SHA256"

        /// The hash the MAC uses.
        public var hash: OpenIDHashAlgorithm { self == .hmacSHA1 ? .sha1 : .sha256 }
        /// The length of the MAC key.
        public var secretLength: Int { hash.digestLength }
    }

    /// How the MAC key travels during association (`openid.session_type`).
    public enum SessionType: String, Sendable, Hashable, Codable, CaseIterable {
        /// The key in the clear; allowed only over https (section 8.4.1).
        case noEncryption = "no-encryption"
        /// The key encrypted under a Diffie-Hellman secret hashed with SHA-1.
        case dhSHA1 = "DH-SHA1"
        /// The key encrypted under a Diffie-Hellman secret hashed with SHA-256.
        case dhSHA256 = "DH-SHA256"

        /// The hash of the Diffie-Hellman secret, nil for no-encryption.
        public var hash: OpenIDHashAlgorithm? {
            switch self {
            case .noEncryption: nil
            case .dhSHA1: .sha1
            case .dhSHA256: .sha256
            }
        }
    }

    /// The provider endpoint the association belongs to.
    public var endpoint: String
    /// The association handle.
    public var handle: String
    /// The MAC key. Never printed.
    public var secret: [UInt8]
    /// The MAC algorithm.
    public var type: AssociationType
    /// When the association was made.
    public var issuedAt: Date
    /// When it stops being usable.
    public var expiresAt: Date

    /// An association.
    public init(endpoint: String, handle: String, secret: [UInt8], type: AssociationType, issuedAt: Date, expiresAt: Date) {
        self.endpoint = endpoint
        self.handle = handle
        self.secret = secret
        self.type = type
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }

    /// True when the association has expired at `date`.
    public func isExpired(at date: Date) -> Bool { date >= expiresAt }

    /// The signature (base64) of `fields`, named in order, taken from `message`.
    func signature(of names: [String], in message: OpenIDMessage) throws(OpenIDError) -> [UInt8] {
        var pairs: [(String, String)] = []
        for name in names {
            guard let value = message[name] else {
                throw OpenIDError.invalidSignature.with(message: "the signed field openid.\(name) is missing")
            }
            pairs.append((name, value))
        }
        let text = try KeyValueForm.encodedBytes(pairs)
        do {
            return try HMAC.authenticationCode(for: text, key: secret, using: type.hash.function)
        } catch {
            throw OpenIDError.invalidSignature.with(message: "the signature could not be computed")
        }
    }

    /// Endpoint, handle, type and expiry; never the secret.
    public var description: String {
        "OpenIDAssociation(\(URL(string: endpoint)?.redactedForLogs ?? "?"), handle: \(handle), \(type.rawValue), expires: \(expiresAt))"
    }
}
