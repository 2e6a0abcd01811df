public import CommunityMailMessage
internal import CommunityMailCrypto
internal import CommunityMailSystem
internal import Foundation

/// Verifies every DKIM signature on a message (RFC 6376 §6, RFC 8463, RFC 8301).
///
/// Keys come from a ``DKIMKeySource`` (DNS, or keys given directly). Body hashes are
/// computed once per canonicalization, `l=` and hash function, and shared between the
/// signatures that need the same one. Verification never throws: every outcome is a
/// ``DKIMResult``.
public struct DKIMVerifier: Sendable {
    /// Where keys come from.
    public let keySource: any DKIMKeySource
    /// What is accepted, and the limits.
    public let configuration: Configuration

    /// A verifier asking `keySource` for keys.
    public init(keySource: any DKIMKeySource, configuration: Configuration = Configuration()) {
        self.keySource = keySource
        self.configuration = configuration
    }

    /// The verdict on every DKIM-Signature field of `message`, top first, up to
    /// ``Configuration/maximumSignatures``.
    public func verify(_ message: MailMessage) async -> DKIMVerification {
        let fields = message.header.fields
        let signatureFields = fields.filter { $0.lowercasedName == "dkim-signature" }
        let evaluated = Array(signatureFields.prefix(max(0, configuration.maximumSignatures)))
        let skipped = signatureFields.count - evaluated.count
        guard message.bytes.count <= configuration.maximumMessageSize else {
            return DKIMVerification(
                results: evaluated.map { field in
                    DKIMResult(status: .neutral, reason: .messageTooLarge, signature: try? DKIMSignature(value: field.rawValue))
                },
                signaturesNotEvaluated: skipped)
        }
        var bodyHashes = BodyHashCache(body: message.body)
        var results: [DKIMResult] = []
        results.reserveCapacity(evaluated.count)
        for field in evaluated {
            results.append(await verify(field, fields: fields, bodyHashes: &bodyHashes))
        }
        return DKIMVerification(results: results, signaturesNotEvaluated: skipped)
    }

    /// The verdict on one signature field.
    private func verify(_ field: HeaderField, fields: [HeaderField], bodyHashes: inout BodyHashCache) async -> DKIMResult {
        let signature: DKIMSignature
        do {
            signature = try DKIMSignature(value: field.rawValue)
        } catch {
            return DKIMResult(status: .permerror, reason: .syntax)
        }
        let now = configuration.clock.now().timeIntervalSince1970
        let skew = configuration.allowedClockSkew.timeInterval
        if let expiration = signature.expiration, Double(expiration) + skew < now {
            return DKIMResult(status: .permerror, reason: .expired, signature: signature)
        }
        if let timestamp = signature.timestamp, Double(timestamp) > now + skew {
            return DKIMResult(status: .permerror, reason: .timestampInFuture, signature: signature)
        }

        let record: DKIMKeyRecord
        switch await keySource.lookUpKey(selector: signature.selector, domain: signature.domain) {
        case .found(let found): record = found
        case .notFound: return DKIMResult(status: .permerror, reason: .keyNotFound, signature: signature)
        case .temporaryFailure: return DKIMResult(status: .temperror, reason: .keyUnavailable, signature: signature)
        case .multipleRecords, .malformed: return DKIMResult(status: .permerror, reason: .keyMalformed, signature: signature)
        }
        func keyFailure(_ reason: DKIMResult.Reason) -> DKIMResult {
            DKIMResult(status: .permerror, reason: reason, signature: signature, isTesting: record.isTesting, keyBits: record.key?.bits)
        }
        guard let key = record.key else { return keyFailure(.keyRevoked) }
        guard record.keyKind == signature.algorithm.keyKind, key.kind == record.keyKind else { return keyFailure(.keyKindMismatch) }
        guard record.allows(signature.algorithm) else { return keyFailure(.hashNotAllowed) }
        guard record.allowsEmail else { return keyFailure(.serviceNotAllowed) }
        if record.requiresStrictIdentity, signature.identityDomain.lowercased() != signature.domain.lowercased() {
            return keyFailure(.identityMismatch)
        }
        if key.kind == .rsa, key.bits < configuration.minimumRSABits { return keyFailure(.keyTooShort) }

        func outcome(_ status: DKIMResult.Status, _ reason: DKIMResult.Reason?) -> DKIMResult {
            DKIMResult(status: status, reason: reason, signature: signature, isTesting: record.isTesting, keyBits: key.bits)
        }
        let body: BodyHashCache.Entry
        do {
            body = try bodyHashes.hash(signature.bodyCanonicalization, hash: signature.algorithm.hash, limit: signature.bodyLength)
        } catch {
            return outcome(.temperror, .internalError)
        }
        if let length = signature.bodyLength, length > body.canonicalLength { return outcome(.permerror, .bodyLengthBeyondBody) }
        guard body.digest == signature.bodyHash else { return outcome(.fail, .bodyHashMismatch) }

        let digest: [UInt8]
        do {
            let selected = SignedHeaders.select(signature.signedHeaders, from: fields)
            let input = try SignedHeaders.hashInput(
                selected: selected, signatureField: field.rawBytes, canonicalization: signature.headerCanonicalization)
            digest = try signature.algorithm.hash.hash(input)
        } catch {
            return outcome(.permerror, .syntax)
        }
        guard key.isValidSignature(signature.signature, forDigest: digest, hash: signature.algorithm.hash) else {
            return outcome(.fail, .signatureMismatch)
        }
        if signature.algorithm.isWeak, !configuration.acceptsSHA1 { return outcome(.policy, .weakAlgorithm) }
        if signature.bodyLength != nil, !configuration.acceptsBodyLength { return outcome(.policy, .bodyLengthRefused) }
        return outcome(.pass, nil)
    }
}
