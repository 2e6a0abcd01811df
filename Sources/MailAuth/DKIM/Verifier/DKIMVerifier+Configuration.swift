public import CommunityMailSystem

extension DKIMVerifier {
    /// What the verifier accepts and how much work it does.
    public struct Configuration: Sendable {
        /// RSA keys shorter than this are refused (``DKIMResult/Reason/keyTooShort``).
        /// Default 1024, RFC 8301's floor.
        public var minimumRSABits = 1024
        /// Whether an rsa-sha1 signature that verifies counts as a pass. Default false: RFC
        /// 8301 says verifiers must not treat it as valid; it is reported as
        /// ``DKIMResult/Status/policy`` with ``DKIMResult/Reason/weakAlgorithm``.
        public var acceptsSHA1 = false
        /// Whether a signature over part of the body (`l=`) counts as a pass. Default true
        /// (RFC 6376 allows it; ``DKIMResult/usesBodyLength`` reports it); when false it is
        /// ``DKIMResult/Status/policy`` with ``DKIMResult/Reason/bodyLengthRefused``.
        public var acceptsBodyLength = true
        /// At most this many DKIM-Signature fields are evaluated, from the top. Default 10.
        public var maximumSignatures = 10
        /// Messages larger than this are not evaluated (every signature is
        /// ``DKIMResult/Status/neutral`` with ``DKIMResult/Reason/messageTooLarge``).
        /// Default 64 MiB.
        public var maximumMessageSize = 64 * 1024 * 1024
        /// How far `t=` may lie in the future, and how long after `x=` a signature still
        /// counts, for clocks that disagree. Default 5 minutes.
        public var allowedClockSkew: Duration = .seconds(300)
        /// The clock `t=` and `x=` are checked against. Default the system clock.
        public var clock: any ServiceClock = SystemClock()

        /// The defaults.
        public init() {}
    }
}
