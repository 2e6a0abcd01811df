import CommunityMailCrypto
import CommunityMailMessage

/// An ARC-Message-Signature header field's tags (RFC 8617 §4.1.2): a DKIM-Signature's
/// (RFC 6376 §3.5) with `i=` the ARC instance instead of the identity, and no `v=`.
struct ARCMessageSignatureTags: Sendable {
    var instance: Int
    var algorithm: SignatureAlgorithm
    var signature: [UInt8]
    var bodyHash: [UInt8]
    var headerCanonicalization: Canonicalization
    var bodyCanonicalization: Canonicalization
    var domain: String
    var selector: String
    /// The `h=` names, lowercased, in order.
    var signedFields: [String]
    var bodyLength: Int?
    var timestamp: Int?

    /// Parses an ARC-Message-Signature field; nil when a required tag is missing or
    /// invalid, `h=` lacks From or names ARC-Seal (§4.1.2: MUST NOT), or the tag list is
    /// malformed or longer than `maximumTags`, or `h=` names more than `maximumSignedFields`.
    init?(parsing field: HeaderField, maximumTags: Int, maximumSignedFields: Int) {
        guard let tags = ARCSignatureFields.tags(of: field, maximumTags: maximumTags) else { return nil }
        func tag(_ name: String) -> String? { tags[name] }
        guard let instance = tag("i").flatMap(ARCInstance.parse),
            let algorithm = tag("a").flatMap(ARCSignatureFields.algorithm),
            let signature = tag("b").flatMap(ARCSignatureFields.base64),
            let bodyHash = tag("bh").flatMap(ARCSignatureFields.base64), bodyHash.count == algorithm.hash.digestLength,
            let canonicalization = try? Canonicalization.pair(fromTagValue: tag("c")),
            let domain = tag("d").flatMap(ARCSignatureFields.domain),
            let selector = tag("s").flatMap(ARCSignatureFields.domain),
            let headerList = tag("h")
        else { return nil }
        let signedFields = TagList.items(headerList).map { $0.lowercased() }
        guard signedFields.count <= maximumSignedFields, !signedFields.contains(where: \.isEmpty),
            signedFields.contains("from"), !signedFields.contains("arc-seal")
        else { return nil }
        var bodyLength: Int?
        if let text = tag("l") {
            guard let value = ARCSignatureFields.timestamp(text) else { return nil }
            bodyLength = value
        }
        var timestamp: Int?
        if let text = tag("t") {
            guard let value = ARCSignatureFields.timestamp(text) else { return nil }
            timestamp = value
        }
        self.instance = instance
        self.algorithm = algorithm
        self.signature = signature
        self.bodyHash = bodyHash
        self.headerCanonicalization = canonicalization.header
        self.bodyCanonicalization = canonicalization.body
        self.domain = domain
        self.selector = selector
        self.signedFields = signedFields
        self.bodyLength = bodyLength
        self.timestamp = timestamp
    }
}
