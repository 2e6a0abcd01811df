/// What ``MessageAuthenticator`` found: each check's own result, and the verdict they add
/// up to.
public struct AuthenticationReport: Sendable, Hashable {
    /// How the checks add up, for a command's exit status or a quick decision.
    public enum Outcome: String, Sendable, Hashable {
        /// DMARC passed; or the From domain publishes no DMARC policy and SPF or a DKIM
        /// signature passed.
        case pass
        /// Nothing authenticated the message (or DMARC failed).
        case fail
        /// A check could not finish now (a DNS failure): asking later may pass.
        case temporary
    }

    /// SPF's result for the envelope; nil when the client's address was not known.
    public var spf: SPFResult?
    /// Each DKIM signature's result.
    public var dkim: DKIMVerification
    /// The ARC chain's result.
    public var arc: ARCVerificationResult
    /// DMARC's result, with the disposition the From domain's policy asks for.
    public var dmarc: DMARCResult

    /// A report from its parts.
    public init(spf: SPFResult?, dkim: DKIMVerification, arc: ARCVerificationResult, dmarc: DMARCResult) {
        self.spf = spf
        self.dkim = dkim
        self.arc = arc
        self.dmarc = dmarc
    }

    /// The checks added up (see ``Outcome``).
    public var outcome: Outcome {
        switch dmarc.status {
        case .pass: return .pass
        // permerror is the From field itself (missing, repeated, several addresses): no
        // unaligned pass may vouch for a message whose author cannot be told.
        case .fail, .permerror: return .fail
        case .temperror: return .temporary
        case .none:
            if spf?.verdict == .pass || dkim.hasPass { return .pass }
            if spf?.verdict == .temperror || dkim.results.contains(where: { $0.status == .temperror }) { return .temporary }
            return .fail
        }
    }

    /// The results alone, for an event or a log line: `spf=pass dkim=pass dmarc=pass
    /// arc=none` (several DKIM signatures: each one's result, comma-separated). Never a
    /// domain or an address.
    public var summary: String {
        let dkimResults = dkim.results.isEmpty ? "none" : dkim.results.map(\.status.rawValue).joined(separator: ",")
        return "spf=\(spf?.verdict.rawValue ?? "none") dkim=\(dkimResults) dmarc=\(dmarc.status.rawValue) arc=\(arc.chainValidation.rawValue)"
    }
}
