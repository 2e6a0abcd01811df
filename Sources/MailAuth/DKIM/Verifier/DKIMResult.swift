/// The verdict on one DKIM signature (RFC 6376 §6.1, with RFC 8601's result names), and
/// what Authentication-Results needs to report it (`d=`, `s=`, `i=`, algorithm, `header.b`).
public struct DKIMResult: Sendable, Hashable {
    /// The verdict, named as in Authentication-Results (RFC 8601 §2.7.1).
    public enum Status: String, Sendable, Hashable {
        /// The signature verified.
        case pass
        /// The signature did not verify (``Reason/bodyHashMismatch`` or
        /// ``Reason/signatureMismatch``).
        case fail
        /// The signature was not evaluated (the message is over
        /// ``DKIMVerifier/Configuration/maximumMessageSize``).
        case neutral
        /// The signature verified, but the configuration does not accept it (rsa-sha1,
        /// `l=`).
        case policy
        /// The key could not be fetched for now: try again later.
        case temperror
        /// The signature or its key cannot be used (syntax, no key, revoked, too short,
        /// expired, …): asking again will not help.
        case permerror
    }

    /// Why the verdict is what it is, when it is not a plain pass.
    public enum Reason: String, Sendable, Hashable {
        /// The body's hash is not `bh=`.
        case bodyHashMismatch = "body hash did not verify"
        /// The header's signature is not `b=` under the key.
        case signatureMismatch = "signature did not verify"
        /// The field does not follow the DKIM-Signature grammar or its rules.
        case syntax = "signature syntax error"
        /// No key record at the selector.
        case keyNotFound = "no key for signature"
        /// The key record's `p=` is empty.
        case keyRevoked = "key revoked"
        /// The key record does not parse, or there are several.
        case keyMalformed = "key record unusable"
        /// An RSA key under the configured minimum (RFC 8301: 1024 bits).
        case keyTooShort = "key too short"
        /// The key record's `k=` is not the signature's algorithm's.
        case keyKindMismatch = "key type does not match a="
        /// The key record's `h=` excludes the signature's hash.
        case hashNotAllowed = "hash not allowed by key"
        /// The key record's `s=` does not include e-mail.
        case serviceNotAllowed = "key not for email"
        /// The key record says `t=s` and `i=`'s domain is a subdomain of `d=`.
        case identityMismatch = "i= domain not d= under t=s"
        /// The key lookup failed for now.
        case keyUnavailable = "key lookup failed"
        /// `x=` has passed.
        case expired = "signature expired"
        /// `t=` is in the future beyond the allowed clock skew.
        case timestampInFuture = "signature timestamp in the future"
        /// `l=` is more than the canonical body's length.
        case bodyLengthBeyondBody = "l= beyond body length"
        /// rsa-sha1 while the configuration refuses it.
        case weakAlgorithm = "rsa-sha1 not accepted"
        /// `l=` while the configuration refuses it.
        case bodyLengthRefused = "l= not accepted"
        /// The message is larger than the configuration's limit.
        case messageTooLarge = "message too large"
        /// libcrypto failed.
        case internalError = "internal error"
    }

    /// The verdict.
    public var status: Status
    /// Why, when the verdict is not a plain pass.
    public var reason: Reason?
    /// The signature, when it parsed (nil for a syntax error).
    public var signature: DKIMSignature?
    /// True for rsa-sha1 (RFC 8301 retired it), whatever the verdict.
    public var isWeak: Bool { signature?.algorithm.isWeak ?? false }
    /// True when the signature covers only part of the body (`l=`): content may have been
    /// appended after signing.
    public var usesBodyLength: Bool { signature?.bodyLength != nil }
    /// True when the key record says the domain is testing DKIM (`t=y`).
    public var isTesting: Bool
    /// The key's size in bits, when a key was found.
    public var keyBits: Int?

    /// The signing domain (`d=`), when the signature parsed.
    public var domain: String? { signature?.domain }
    /// The selector (`s=`), when the signature parsed.
    public var selector: String? { signature?.selector }
    /// The identity (`i=`, or `@d` when absent), when the signature parsed.
    public var identity: String? { signature?.identity }
    /// The algorithm (`a=`), when the signature parsed.
    public var algorithm: SignatureAlgorithm? { signature?.algorithm }
    /// `header.b` (RFC 6008): the first 8 characters of `b=`, when the signature parsed.
    public var headerB: String? { signature?.headerB }

    /// A result from its parts.
    public init(status: Status, reason: Reason? = nil, signature: DKIMSignature? = nil, isTesting: Bool = false, keyBits: Int? = nil) {
        self.status = status
        self.reason = reason
        self.signature = signature
        self.isTesting = isTesting
        self.keyBits = keyBits
    }
}
