public import CommunityMailMessage
public import CommunityMailSystem
import CommunityMailCrypto
import Foundation

/// Adds an ARC set to a message (RFC 8617 §5.1): an ARC-Authentication-Results with our
/// authentication results, an ARC-Message-Signature over the message, and an ARC-Seal over
/// the chain, with rsa-sha256 or ed25519-sha256.
///
/// ```swift
/// let sealer = try ARCSealer(key: ARCSealingKey(selector: "arc", domain: "fwd.example",
///                                              signingKey: key), authservID: "mx.fwd.example")
/// let chain = await verifier.verify(message)
/// let set = try sealer.seal(message, authenticationResults: "spf=pass smtp.mailfrom=example.org; arc=\(chain.chainValidation)",
///                           chainValidation: chain.chainValidation)
/// let forwarded = set.prepended(to: message)
/// ```
public struct ARCSealer: Sendable {
    /// The key and where receivers find it.
    public let key: ARCSealingKey
    /// Our authserv-id (RFC 8601 §2.5), the first item of our ARC-Authentication-Results.
    public let authservID: String
    /// What the message signature covers and the limits for reading the chain.
    public let configuration: Configuration
    let clock: any ServiceClock

    /// A sealer that signs with `key` for the ADMD named `authservID`.
    /// - Throws: ``MailAuthError/invalidKey`` for an RSA key under 1024 bits;
    ///   ``MailAuthError/invalidArgument`` for an authserv-id that is not a token, a selector
    ///   or domain that is not a DNS name, or signed fields that include ARC-Seal or
    ///   Authentication-Results.
    public init(
        key: ARCSealingKey, authservID: String, configuration: Configuration = Configuration(), clock: any ServiceClock = SystemClock()
    ) throws(MailAuthError) {
        guard key.signingKey.kind == .ed25519 || key.signingKey.bits >= 1024 else {
            throw .invalidKey.with(message: "RSA keys under 1024 bits are refused (RFC 8301)")
        }
        guard ARCSignatureFields.domain(key.selector) != nil, ARCSignatureFields.domain(key.domain) != nil else {
            throw .invalidArgument.with(message: "the selector and domain must be DNS names")
        }
        guard Self.isToken(authservID) else { throw .invalidArgument.with(message: "the authserv-id must be a token") }
        let names = (configuration.signedFields + configuration.oversignedFields).map { $0.lowercased() }
        guard !names.contains(where: { ["arc-seal", "authentication-results"].contains($0) }), names.allSatisfy(Self.isToken) else {
            throw .invalidArgument.with(message: "the signed fields must be field names other than ARC-Seal and Authentication-Results")
        }
        self.key = key
        self.authservID = authservID
        self.configuration = configuration
        self.clock = clock
    }

    /// The ARC set to prepend to `message`.
    ///
    /// - Parameters:
    ///   - authenticationResults: our results as an Authentication-Results payload after the
    ///     authserv-id (`spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org;
    ///     arc=pass`); empty for `none`. One line: no control characters but tab.
    ///   - chainValidation: the state of the chain already on the message, as our verifier
    ///     found it (``ARCVerificationResult/chainValidation``): `none` when there is none.
    ///     With `fail`, the seal covers our set alone (§5.1.2).
    /// - Throws: ``MailAuthError/limitExceeded`` when the message already has 50 sets (or
    ///   claims a higher instance); ``MailAuthError/invalidArgument`` when `chainValidation`
    ///   contradicts the message (`none` with ARC sets present, `pass` on a broken chain or on
    ///   none) or the results contain a line break; ``MailAuthError/invalidMessage`` when the
    ///   message has no From field; ``MailAuthError/cryptoFailure`` when signing fails.
    public func seal(_ message: MailMessage, authenticationResults: String, chainValidation: ARCChainValidation) throws(MailAuthError)
        -> ARCSealedSet
    {
        let structure = ARCChainStructure(message.header, limits: ARCLimits(configuration.chainLimits))
        let instance = structure.highestInstance + 1
        guard instance <= ARCInstance.maximum else { throw .limitExceeded.with(message: "the message already has 50 ARC sets") }
        switch (structure, chainValidation) {
        case (.noChain, .none), (.sets, .pass), (.sets, .fail), (.broken, .fail): break
        default: throw .invalidArgument.with(message: "cv=\(chainValidation) contradicts the ARC sets on the message")
        }
        let results = authenticationResults.trimmingCharacters(in: .whitespaces)
        // Bytes, not Characters: "\r\n" is one Character, and no control byte may reach the header.
        guard !results.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7f }),
            results.utf8.count <= configuration.chainLimits.maximumFieldBytes / 2
        else { throw .invalidArgument.with(message: "the authentication results must be one line of bounded length") }
        guard message.header.fields.contains(where: { $0.lowercasedName == "from" }) else {
            throw .invalidMessage.with(message: "the message has no From field")
        }
        let lineEnding = Self.lineEnding(of: message)
        let timestamp = String(Int(clock.now().timeIntervalSince1970))
        let algorithm = key.algorithm

        var resultsWriter = ARCFieldWriter(name: "ARC-Authentication-Results", lineEnding: lineEnding)
        resultsWriter.words("i=\(instance); \(authservID); " + (results.isEmpty ? "none" : results))
        let resultsField = resultsWriter.field

        let messageSignatureField = try messageSignature(
            of: message, instance: instance, timestamp: timestamp, algorithm: algorithm, lineEnding: lineEnding)

        let unsignedSeal = unsignedSeal(instance: instance, chainValidation: chainValidation, timestamp: timestamp, algorithm: algorithm)
        var covered: [ARCSignedData.SetFields] = []
        if case .sets(let sets) = structure, chainValidation == .pass {
            covered = sets.map { ($0.authenticationResultsField.rawBytes, $0.messageSignatureField.rawBytes, $0.sealField.rawBytes) }
        }
        covered.append((Array(resultsField.utf8)[...], Array(messageSignatureField.utf8)[...], Array((unsignedSeal + "\r\n").utf8)[...]))
        let signature = try sign(try ARCSignedData.seal(covered))
        let sealField = Self.ending(unsignedSeal + SignatureFieldFolding.wrap(signature, firstLineUsed: 3) + "\r\n", with: lineEnding)

        return ARCSealedSet(
            instance: instance, chainValidation: chainValidation, seal: sealField, messageSignature: messageSignatureField,
            authenticationResults: resultsField)
    }

    /// Verifies the chain on `message` with `verifier`, then seals it, adding `arc=<cv>` to
    /// our results (RFC 8617 §5.1: the AAR records the chain's state as we found it).
    /// - Returns: the verification and the set to prepend.
    /// - Throws: ``MailAuthError/dnsFailure`` when the chain failed only because a key lookup
    ///   failed for now (sealing would record a `cv=fail` that asking later might not give:
    ///   defer the message instead); otherwise as ``seal(_:authenticationResults:chainValidation:)``.
    public func verifyAndSeal(_ message: MailMessage, authenticationResults: String, verifier: ARCVerifier) async throws(MailAuthError)
        -> (verification: ARCVerificationResult, set: ARCSealedSet)
    {
        let verification = await verifier.verify(message)
        guard !verification.isTemporaryFailure else {
            throw .dnsFailure.with(message: "a key of the ARC chain could not be fetched for now")
        }
        let trimmed = authenticationResults.trimmingCharacters(in: .whitespaces)
        let arcResult = "arc=\(verification.chainValidation.rawValue)"
        let results = trimmed.isEmpty ? arcResult : trimmed + "; " + arcResult
        let set = try seal(message, authenticationResults: results, chainValidation: verification.chainValidation)
        return (verification, set)
    }
}
