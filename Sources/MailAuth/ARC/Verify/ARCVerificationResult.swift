/// What a verifier concluded about a message's Authenticated Received Chain.
public struct ARCVerificationResult: Sendable, Hashable {
    /// One ARC set as a receiver that trusts its sealer would read it.
    public struct SetSummary: Sendable, Hashable {
        /// The instance (1 is the oldest).
        public var instance: Int
        /// The sealer's domain (the ARC-Seal's `d=`).
        public var sealingDomain: String
        /// The ARC-Message-Signature's `d=`.
        public var signingDomain: String
        /// The sealer's authentication results (its ARC-Authentication-Results).
        public var authenticationResults: ARCAuthenticationResults
    }

    /// The chain's state: `none` (no ARC set), `pass` or `fail`.
    public var chainValidation: ARCChainValidation
    /// The number of ARC sets: the highest valid instance present (0 for none), or the
    /// configured maximum plus one when there are more ARC fields than that many sets have.
    public var setCount: Int
    /// RFC 8617 §5.2 step 5's "oldest-pass": 0 when every message signature verifies, else
    /// the oldest instance from which all newer message signatures verify. Nil unless the
    /// chain passed and ``ARCVerifier/Configuration/determinesOldestPass`` is on.
    public var oldestPass: Int?
    /// Why the chain failed; nil unless ``chainValidation`` is `fail`.
    public var failure: ARCFailureReason?
    /// The sets in instance order, when the chain's structure was sound (also for a chain
    /// whose signatures failed, so that a receiver can see who sealed what).
    public var sets: [SetSummary]

    /// True when the chain failed only because a key could not be fetched (a DNS failure):
    /// asking again later may pass.
    public var isTemporaryFailure: Bool {
        if case .keyUnavailable(_, temporary: true) = failure { return true }
        return false
    }

    /// The `arc=` method result for an Authentication-Results field (RFC 8617 §4.4).
    public var authenticationResultsValue: String { chainValidation.rawValue }
}
