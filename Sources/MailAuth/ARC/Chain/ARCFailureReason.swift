/// Why a chain did not pass (RFC 8617 §5.2's steps), without any of the message's bytes.
public enum ARCFailureReason: Sendable, Hashable, CustomStringConvertible {
    /// More ARC sets (or ARC header fields) than the configured maximum (50 by the RFC).
    case tooManySets
    /// An ARC header field or its tag list exceeds a configured limit.
    case limitExceeded(instance: Int?)
    /// An ARC header field whose instance (`i=`) is missing, not a number, or outside 1...50.
    case invalidInstance
    /// Two fields of the same kind with the same instance.
    case duplicateField(instance: Int)
    /// An instance lacks one of its three fields.
    case incompleteSet(instance: Int)
    /// The instances are not exactly 1...N.
    case instanceGap(missing: Int)
    /// A field that does not follow its grammar (a bad tag list, a missing or invalid tag,
    /// an AMS that signs ARC-Seal, a seal with `h=`).
    case malformedField(instance: Int)
    /// A seal's `cv=` is not what its position requires (`none` for 1, `pass` after).
    case invalidChainValidation(instance: Int)
    /// The newest seal (or an older one) records `cv=fail`: the chain ended there.
    case chainMarkedFailed(instance: Int)
    /// The signing key could not be fetched or used (`temporary` for a DNS failure).
    case keyUnavailable(instance: Int, temporary: Bool)
    /// The newest ARC-Message-Signature's body hash does not match the body.
    case bodyHashMismatch(instance: Int)
    /// The newest ARC-Message-Signature does not verify.
    case messageSignatureInvalid(instance: Int)
    /// An ARC-Seal does not verify.
    case sealInvalid(instance: Int)

    /// The reason in words (instances only, never message bytes).
    public var description: String {
        switch self {
        case .tooManySets: "more ARC sets than allowed"
        case .limitExceeded(let instance): "an ARC header field exceeds a limit" + Self.at(instance)
        case .invalidInstance: "an ARC header field has no valid instance (i=1...50)"
        case .duplicateField(let instance): "a duplicated ARC header field" + Self.at(instance)
        case .incompleteSet(let instance): "an incomplete ARC set" + Self.at(instance)
        case .instanceGap(let missing): "the ARC instances are not contiguous (i=\(missing) missing)"
        case .malformedField(let instance): "a malformed ARC header field" + Self.at(instance)
        case .invalidChainValidation(let instance): "an ARC-Seal with the wrong cv=" + Self.at(instance)
        case .chainMarkedFailed(let instance): "the ARC-Seal records cv=fail" + Self.at(instance)
        case .keyUnavailable(let instance, let temporary):
            (temporary ? "the key lookup failed temporarily" : "no usable key") + Self.at(instance)
        case .bodyHashMismatch(let instance): "the ARC-Message-Signature's body hash does not match" + Self.at(instance)
        case .messageSignatureInvalid(let instance): "the ARC-Message-Signature does not verify" + Self.at(instance)
        case .sealInvalid(let instance): "the ARC-Seal does not verify" + Self.at(instance)
        }
    }

    private static func at(_ instance: Int?) -> String { instance.map { " (i=\($0))" } ?? "" }
}
