import CommunityMailCrypto
import CommunityMailMessage

/// An ARC-Seal header field's tags (RFC 8617 §4.1.3): like a DKIM-Signature without `h=`,
/// `bh=`, `c=` (always relaxed) and `v=`, with `i=` the instance and `cv=` the chain state.
struct ARCSealTags: Sendable {
    var instance: Int
    var algorithm: SignatureAlgorithm
    var signature: [UInt8]
    var chainValidation: ARCChainValidation
    var domain: String
    var selector: String
    var timestamp: Int?

    /// Parses an ARC-Seal field; nil when a required tag is missing or invalid, `h=` is
    /// present, or the tag list is malformed or longer than `maximumTags`.
    init?(parsing field: HeaderField, maximumTags: Int) {
        guard let tags = ARCSignatureFields.tags(of: field, maximumTags: maximumTags) else { return nil }
        func tag(_ name: String) -> String? { tags[name] }
        guard tag("h") == nil,
            let instance = tag("i").flatMap(ARCInstance.parse),
            let algorithm = tag("a").flatMap(ARCSignatureFields.algorithm),
            let signature = tag("b").flatMap(ARCSignatureFields.base64),
            let chainValidation = tag("cv").flatMap({ ARCChainValidation(rawValue: $0.lowercased()) }),
            let domain = tag("d").flatMap(ARCSignatureFields.domain),
            let selector = tag("s").flatMap(ARCSignatureFields.domain)
        else { return nil }
        var timestamp: Int?
        if let text = tag("t") {
            guard let value = ARCSignatureFields.timestamp(text) else { return nil }
            timestamp = value
        }
        self.instance = instance
        self.algorithm = algorithm
        self.signature = signature
        self.chainValidation = chainValidation
        self.domain = domain
        self.selector = selector
        self.timestamp = timestamp
    }
}
