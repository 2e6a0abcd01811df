public import CommunityMailMessage
public import DNSVerify
import CommunityMailCrypto

/// Verifies a message's Authenticated Received Chain (RFC 8617 §5.2): the structure of its
/// ARC sets, the newest ARC-Message-Signature, and every ARC-Seal, with keys from the same
/// `_domainkey` TXT records DKIM uses.
///
/// ```swift
/// let verifier = ARCVerifier(resolver: DNSStubResolver(...))
/// let result = await verifier.verify(MailMessage(bytes))
/// result.chainValidation   // .none, .pass or .fail
/// ```
///
/// Never throws: every outcome, hostile input included, is an ``ARCVerificationResult``.
public struct ARCVerifier: Sendable {
    /// The limits this verifier works within.
    public let configuration: Configuration
    /// Where keys come from: DNS (``DNSKeySource``) or given directly (``StaticKeySource``).
    public let keySource: any DKIMKeySource

    /// A verifier that takes keys from `keySource`.
    public init(keySource: any DKIMKeySource, configuration: Configuration = Configuration()) {
        self.keySource = keySource
        self.configuration = configuration
    }

    /// A verifier that looks keys up as TXT records through `resolver`.
    public init(resolver: any DNSResolver, configuration: Configuration = Configuration()) {
        self.init(keySource: DNSKeySource(resolver: resolver), configuration: configuration)
    }

    /// The chain's state on `message`.
    public func verify(_ message: MailMessage) async -> ARCVerificationResult {
        let structure = ARCChainStructure(message.header, limits: ARCLimits(configuration))
        let sets: [ARCSetFields]
        switch structure {
        case .noChain:
            return ARCVerificationResult(chainValidation: .none, setCount: 0, oldestPass: nil, failure: nil, sets: [])
        case .broken(let reason, let highest):
            return ARCVerificationResult(chainValidation: .fail, setCount: highest, oldestPass: nil, failure: reason, sets: [])
        case .sets(let parsed):
            sets = parsed
        }
        let summaries = sets.map {
            ARCVerificationResult.SetSummary(
                instance: $0.instance, sealingDomain: $0.seal.domain, signingDomain: $0.messageSignature.domain,
                authenticationResults: $0.authenticationResults)
        }
        func failed(_ reason: ARCFailureReason) -> ARCVerificationResult {
            ARCVerificationResult(chainValidation: .fail, setCount: sets.count, oldestPass: nil, failure: reason, sets: summaries)
        }
        var keys = KeyCache()
        // Step 4: the newest message signature.
        guard let newest = sets.last else { return failed(.incompleteSet(instance: 1)) }
        if let reason = await checkMessageSignature(newest, in: message, keys: &keys) { return failed(reason) }
        // Step 5 (optional): how far back the message signatures still verify.
        var oldestPass: Int?
        if configuration.determinesOldestPass {
            oldestPass = 0
            for set in sets.dropLast().reversed() where await checkMessageSignature(set, in: message, keys: &keys) != nil {
                oldestPass = set.instance + 1
                break
            }
        }
        // Step 6: every seal, newest first.
        for set in sets.reversed() {
            if let reason = await checkSeal(of: set.instance, in: sets, keys: &keys) { return failed(reason) }
        }
        return ARCVerificationResult(chainValidation: .pass, setCount: sets.count, oldestPass: oldestPass, failure: nil, sets: summaries)
    }
}
