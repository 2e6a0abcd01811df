/// The state of a message's Authenticated Received Chain (RFC 8617 §4.4): what an ARC-Seal's
/// `cv=` tag records and what a verifier concludes.
public enum ARCChainValidation: String, Sendable, Hashable, CaseIterable {
    /// The message carries no ARC set (the first set's seal says this).
    case none
    /// Every set is present and every seal, and the newest message signature, verify.
    case pass
    /// The chain is broken: malformed, incomplete, not verifying, or marked failed earlier.
    case fail
}
