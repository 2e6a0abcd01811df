import CommunityMailCrypto
import CommunityMailMessage

extension ARCVerifier {
    /// Keys fetched and body hashes computed during one verification: a sealer that signed
    /// several sets is asked for once, and AMSs with the same `c=`, hash and `l=` share one
    /// pass over the body.
    struct KeyCache {
        var lookups: [String: DKIMKeyLookup] = [:]
        var bodyHashes: [String: [UInt8]] = [:]
    }

    /// Nil when the ARC-Message-Signature of `set` verifies over `message`, else why not.
    func checkMessageSignature(_ set: ARCSetFields, in message: MailMessage, keys: inout KeyCache) async -> ARCFailureReason? {
        let tags = set.messageSignature
        let hash = tags.algorithm.hash
        let bodyKey = "\(tags.bodyCanonicalization.rawValue)/\(hash.rawValue)/\(tags.bodyLength.map(String.init) ?? "")"
        let bodyHash: [UInt8]
        if let cached = keys.bodyHashes[bodyKey] {
            bodyHash = cached
        } else {
            guard
                let computed = try? ARCSignedData.bodyHash(
                    message.body, canonicalization: tags.bodyCanonicalization, length: tags.bodyLength, hash: hash)
            else { return .messageSignatureInvalid(instance: set.instance) }
            keys.bodyHashes[bodyKey] = computed
            bodyHash = computed
        }
        guard bodyHash == tags.bodyHash else { return .bodyHashMismatch(instance: set.instance) }
        let key: VerifyingKey
        switch await self.key(selector: tags.selector, domain: tags.domain, algorithm: tags.algorithm, cache: &keys) {
        case .success(let found): key = found
        case .failure(let failure): return .keyUnavailable(instance: set.instance, temporary: failure.temporary)
        }
        guard
            let data = try? ARCSignedData.messageSignatureHeaders(
                message.header, signedFields: tags.signedFields, canonicalization: tags.headerCanonicalization,
                signatureField: set.messageSignatureField.rawBytes),
            let digest = try? hash.hash(data), key.isValidSignature(tags.signature, forDigest: digest, hash: hash)
        else { return .messageSignatureInvalid(instance: set.instance) }
        return nil
    }

    /// Nil when the ARC-Seal of `instance` verifies over sets 1...`instance`, else why not.
    func checkSeal(of instance: Int, in sets: [ARCSetFields], keys: inout KeyCache) async -> ARCFailureReason? {
        let covered = sets.prefix(instance)
        guard let set = covered.last else { return .incompleteSet(instance: instance) }
        let tags = set.seal
        let key: VerifyingKey
        switch await self.key(selector: tags.selector, domain: tags.domain, algorithm: tags.algorithm, cache: &keys) {
        case .success(let found): key = found
        case .failure(let failure): return .keyUnavailable(instance: instance, temporary: failure.temporary)
        }
        let hash = tags.algorithm.hash
        guard
            let data = try? ARCSignedData.seal(
                covered.map { ($0.authenticationResultsField.rawBytes, $0.messageSignatureField.rawBytes, $0.sealField.rawBytes) }),
            let digest = try? hash.hash(data), key.isValidSignature(tags.signature, forDigest: digest, hash: hash)
        else { return .sealInvalid(instance: instance) }
        return nil
    }

    /// Why no key could be used.
    struct KeyFailure: Error {
        var temporary: Bool
    }

    /// The key at `selector._domainkey.domain` for `algorithm`, from the cache or the key
    /// source: a revoked, non-e-mail, wrong-kind, hash-restricted or short RSA key is none.
    func key(selector: String, domain: String, algorithm: SignatureAlgorithm, cache: inout KeyCache) async
        -> Result<VerifyingKey, KeyFailure>
    {
        let name = "\(selector)._domainkey.\(domain)".lowercased()
        let lookup: DKIMKeyLookup
        if let cached = cache.lookups[name] {
            lookup = cached
        } else {
            lookup = await keySource.lookUpKey(selector: selector, domain: domain)
            cache.lookups[name] = lookup
        }
        switch lookup {
        case .temporaryFailure:
            return .failure(KeyFailure(temporary: true))
        case .notFound, .multipleRecords, .malformed:
            return .failure(KeyFailure(temporary: false))
        case .found(let record):
            guard let key = record.key, record.allowsEmail, record.allows(algorithm), record.keyKind == algorithm.keyKind,
                key.kind == algorithm.keyKind, key.kind != .rsa || key.bits >= configuration.minimumRSAKeyBits
            else { return .failure(KeyFailure(temporary: false)) }
            return .success(key)
        }
    }
}
