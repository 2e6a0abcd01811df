/// A DMARC policy record (RFC 7489 section 6.3), as published in TXT at `_dmarc.<domain>`.
///
/// Parsing follows the RFC: `v=DMARC1` must come first; tag names and keyword values are
/// case-insensitive; unknown tags are ignored; a tag whose value does not follow its
/// grammar falls back to its default (section 6.3: "syntax errors in the remainder of the
/// record SHOULD be discarded in favor of default values"). A missing or invalid `p` (or
/// an invalid `sp`) makes the record a policy of `none` when `rua` holds at least one
/// valid URI, and unusable otherwise (section 6.6.3, step 6).
public struct DMARCRecord: Sendable, Hashable {
    /// What the domain owner asks receivers to do with failing mail.
    public enum Policy: String, Sendable, Hashable, CaseIterable {
        /// Nothing (monitoring only).
        case none
        /// Treat as suspicious (a spam folder).
        case quarantine
        /// Refuse during the SMTP transaction.
        case reject

        /// One step less strict (RFC 7489 section 6.6.4, for messages `pct` leaves out).
        public var lessStrict: Policy {
            switch self {
            case .reject: .quarantine
            case .quarantine, .none: .none
            }
        }
    }

    /// Relaxed (organisational domains equal) or strict (domains equal) alignment.
    public enum Alignment: String, Sendable, Hashable {
        /// `r`: the organisational domains must match (the default).
        case relaxed = "r"
        /// `s`: the domains must be the same.
        case strict = "s"
    }

    /// `p`: the policy for the domain. `.none` when the record had no valid `p` but a
    /// valid `rua` (see ``policyWasMissing``).
    public var policy: Policy
    /// `sp`: the policy for subdomains, when given (otherwise ``policy`` applies).
    public var subdomainPolicy: Policy?
    /// `pct`: the percentage of failing messages the policy applies to, 0 to 100.
    /// Default: 100.
    public var percentage: Int = 100
    /// `adkim`. Default: relaxed.
    public var dkimAlignment: Alignment = .relaxed
    /// `aspf`. Default: relaxed.
    public var spfAlignment: Alignment = .relaxed
    /// `rua`: aggregate report URIs, as written (kept, not used).
    public var aggregateReportURIs: [String] = []
    /// `ruf`: failure report URIs, as written (kept, not used).
    public var failureReportURIs: [String] = []
    /// `fo`: failure reporting options (`0`, `1`, `d`, `s`). Default: `["0"]`.
    public var failureReportingOptions: [String] = ["0"]
    /// `rf`: failure report formats. Default: `["afrf"]`.
    public var reportFormats: [String] = ["afrf"]
    /// `ri`: seconds between aggregate reports. Default: 86400.
    public var reportInterval: UInt32 = 86400
    /// True when `p` was missing or invalid (or `sp` invalid) and the record counts as
    /// `p=none` because it has a valid `rua` (RFC 7489 section 6.6.3, step 6).
    public var policyWasMissing = false

    /// A record from its parts; the other tags take their defaults.
    public init(policy: Policy, subdomainPolicy: Policy? = nil) {
        self.policy = policy
        self.subdomainPolicy = subdomainPolicy
    }

    /// The policy for a message whose From domain is `isSubdomain` of the domain the
    /// record was found at (the organisational domain): `sp` when given, else `p`.
    public func requestedPolicy(forSubdomain isSubdomain: Bool) -> Policy {
        isSubdomain ? (subdomainPolicy ?? policy) : policy
    }
}
