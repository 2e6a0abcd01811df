/// Every DKIM signature on a message and its verdict, in header order (top first).
public struct DKIMVerification: Sendable, Hashable {
    /// One result per DKIM-Signature field, top first, up to
    /// ``DKIMVerifier/Configuration/maximumSignatures``.
    public var results: [DKIMResult]
    /// How many DKIM-Signature fields were beyond the maximum and not even parsed.
    public var signaturesNotEvaluated: Int

    /// A verification from its parts.
    public init(results: [DKIMResult], signaturesNotEvaluated: Int = 0) {
        self.results = results
        self.signaturesNotEvaluated = signaturesNotEvaluated
    }

    /// True when at least one signature passed.
    public var hasPass: Bool { results.contains { $0.status == .pass } }

    /// The domains (`d=`) of the signatures that passed, for DMARC alignment.
    public var passingDomains: [String] { results.filter { $0.status == .pass }.compactMap(\.domain) }
}
