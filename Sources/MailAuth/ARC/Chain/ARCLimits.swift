/// The bounds the chain parser works within (from ``ARCVerifier/Configuration``).
struct ARCLimits: Sendable {
    var maximumInstances: Int
    var maximumFieldBytes: Int
    var maximumTags: Int
    var maximumSignedFields: Int

    init(_ configuration: ARCVerifier.Configuration) {
        maximumInstances = min(max(configuration.maximumInstances, 1), ARCInstance.maximum)
        maximumFieldBytes = configuration.maximumFieldBytes
        maximumTags = configuration.maximumTags
        maximumSignedFields = configuration.maximumSignedFields
    }
}
