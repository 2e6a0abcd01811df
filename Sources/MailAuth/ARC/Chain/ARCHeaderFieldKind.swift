/// The three header fields of an ARC set (RFC 8617 §4.1), in the order the seal signs them.
enum ARCHeaderFieldKind: Int, Sendable, Hashable, CaseIterable, Comparable {
    /// ARC-Authentication-Results: the sealer's authentication results.
    case authenticationResults
    /// ARC-Message-Signature: a DKIM-like signature of the message.
    case messageSignature
    /// ARC-Seal: the signature over the chain's header fields.
    case seal

    /// The kind of a field named `lowercasedName`, or nil for any other field.
    init?(lowercasedName: String) {
        switch lowercasedName {
        case "arc-authentication-results": self = .authenticationResults
        case "arc-message-signature": self = .messageSignature
        case "arc-seal": self = .seal
        default: return nil
        }
    }

    /// The field name as the sealer writes it.
    var fieldName: String {
        switch self {
        case .authenticationResults: "ARC-Authentication-Results"
        case .messageSignature: "ARC-Message-Signature"
        case .seal: "ARC-Seal"
        }
    }

    static func < (lhs: ARCHeaderFieldKind, rhs: ARCHeaderFieldKind) -> Bool { lhs.rawValue < rhs.rawValue }
}
