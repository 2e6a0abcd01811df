/// The rules every store enforces, the same for the SQLite store and the in-memory fake.
public struct AliasPolicy: Sendable, Hashable {
    /// Local parts only a domain admin may take. Default: postmaster, abuse, hostmaster,
    /// webmaster, root, admin (RFC 2142 and common practice).
    public static let standardReservedNames: Set<String> = ["postmaster", "abuse", "hostmaster", "webmaster", "root", "admin"]

    /// Extra reserved local parts, on top of ``standardReservedNames`` (lowercase). Default: none.
    public var additionalReservedNames: Set<String> = []
    /// Most recipients one alias may have. Default: 10.
    public var maxRecipientsPerAlias = 10
    /// Most aliases one user may own, across all domains. Default: 100.
    public var maxAliasesPerUser = 100
    /// Longest chain of the store's own aliases followed while resolving (an alias whose
    /// recipient is another of our aliases is one step). Default: 8.
    public var maxChainDepth = 8
    /// Most alias look-ups one resolution may make, bounding fan-out through chains.
    /// Default: 64.
    public var maxLookupsPerResolution = 64
    /// Longest pattern (between the slashes) a regular-expression alias may have, in bytes.
    /// Default: 128.
    public var maxPatternLength = 128
    /// Most matcher steps one pattern may take against one local part; past it the
    /// resolution is deferred (451 4.3.0). Default: 20,000.
    public var patternStepBudget = 20_000
    /// Most matcher steps one resolution may spend on all the patterns it tries, across
    /// every pattern of every domain along its chain of aliases; past it the resolution is
    /// deferred (451 4.3.0). Each pattern tried costs at least one step, so this also
    /// bounds how many are tried. Default: 100,000.
    public var patternStepsPerResolution = 100_000
    /// Most pattern aliases one domain may have. Every look-up without an exact alias reads
    /// all of its domain's patterns, so this bounds the work of one look-up whatever the
    /// step budget. Default: 50.
    public var maxPatternsPerDomain = 50

    /// The defaults above.
    public init() {}

    /// Every reserved local part.
    public var reservedNames: Set<String> { Self.standardReservedNames.union(additionalReservedNames.map { $0.lowercased() }) }
}
