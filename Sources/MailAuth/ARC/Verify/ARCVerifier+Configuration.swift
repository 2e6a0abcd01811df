extension ARCVerifier {
    /// Limits on what a verifier reads: hostile chains fail fast and in bounded memory.
    public struct Configuration: Sendable, Hashable {
        /// The most ARC sets a chain may have; more is `cv=fail` (RFC 8617 §5.2 step 1).
        /// Default 50, the RFC's maximum (larger values are treated as 50).
        public var maximumInstances: Int = 50
        /// The largest ARC header field, in bytes as received; a larger one fails the chain.
        /// Default 16,384 (an RSA-4096 seal is under 1,000).
        public var maximumFieldBytes: Int = 16_384
        /// The most tags in an ARC-Seal or ARC-Message-Signature. Default 64 (they define 12).
        public var maximumTags: Int = 64
        /// The most header field names in an ARC-Message-Signature's `h=`. Default 256.
        public var maximumSignedFields: Int = 256
        /// The smallest RSA key accepted (RFC 8301: 1024). Default 1024.
        public var minimumRSAKeyBits: Int = 1024
        /// Whether to check older message signatures to report the chain's oldest pass (RFC
        /// 8617 §5.2 step 5, optional). Default true.
        public var determinesOldestPass: Bool = true

        /// The defaults.
        public init() {}
    }
}
