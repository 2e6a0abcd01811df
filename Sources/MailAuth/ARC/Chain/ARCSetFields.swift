import CommunityMailMessage

/// One complete, parsed ARC set: the three header fields of an instance as received (for
/// hashing) and their parsed tags.
struct ARCSetFields: Sendable {
    var instance: Int
    var authenticationResultsField: HeaderField
    var authenticationResults: ARCAuthenticationResults
    var messageSignatureField: HeaderField
    var messageSignature: ARCMessageSignatureTags
    var sealField: HeaderField
    var seal: ARCSealTags
}
