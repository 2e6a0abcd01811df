public import CommunityMailMessage
public import DNSVerify
import CommunityMailIDNA

/// Evaluates DMARC (RFC 7489) for a message: finds the From domain, discovers its policy
/// through a ``DNSResolver`` (at `_dmarc.<From domain>`, then at its organisational domain
/// from a ``PublicSuffixList``), checks SPF and DKIM alignment from ``DMARCEvidence``, and
/// applies `p`, `sp` and `pct`.
///
/// It never throws: every outcome is a ``DMARCResult``.
public struct DMARCEvaluator: Sendable {
    /// How the evaluator behaves.
    public struct Configuration: Sendable {
        /// A number from 0 to 99, uniformly, for `pct` sampling: a failing message is
        /// subject to the policy when the number is below `pct`. Default: the system's
        /// random generator. Tests pass a fixed source.
        public var percentageRoll: @Sendable () -> Int = { Int.random(in: 0..<100) }
        /// The most TXT records accepted at one `_dmarc` name; more ends discovery with
        /// `none` (no search at the organisational domain), like several DMARC records.
        /// Default: 32.
        public var maximumRecordsPerName = 32
        /// The defaults above.
        public init() {}
    }

    private let resolver: any DNSResolver
    private let publicSuffixList: PublicSuffixList
    private let configuration: Configuration

    /// An evaluator asking `resolver`, with organisational domains from `publicSuffixList`.
    public init(resolver: any DNSResolver, publicSuffixList: PublicSuffixList, configuration: Configuration = Configuration()) {
        self.resolver = resolver
        self.publicSuffixList = publicSuffixList
        self.configuration = configuration
    }

    /// The DMARC result for a message's header (its From field) and what SPF and DKIM found.
    public func evaluate(header: HeaderBlock, evidence: DMARCEvidence) async -> DMARCResult {
        await evaluate(fromDomain: DMARCFromDomain(header: header), evidence: evidence)
    }

    /// The DMARC result for a From domain (already extracted) and what SPF and DKIM found.
    public func evaluate(fromDomain from: DMARCFromDomain, evidence: DMARCEvidence) async -> DMARCResult {
        guard let fromDomain = from.domain else {
            return DMARCResult(status: .permerror, fromDomain: from, reason: Self.describe(from))
        }
        let discovery = await discoverPolicy(for: fromDomain)
        let record: DMARCRecord
        let policyDomain: String
        let fromOrganizationalDomain: Bool
        switch discovery {
        case .temporaryError(let status):
            return DMARCResult(status: .temperror, fromDomain: from, reason: "the DMARC policy lookup failed temporarily (\(status))")
        case .none(let reason):
            return DMARCResult(status: .none, fromDomain: from, reason: reason)
        case .multipleRecords(let domain):
            return DMARCResult(status: .none, fromDomain: from, reason: "more than one DMARC record at \(domain)")
        case .found(let found, let domain, let organizational):
            record = found
            policyDomain = domain
            fromOrganizationalDomain = organizational
        }
        var result = DMARCResult(status: .fail, fromDomain: from, reason: "")
        result.record = record
        result.policyDomain = policyDomain
        result.usedOrganizationalDomainRecord = fromOrganizationalDomain
        let requested = record.requestedPolicy(forSubdomain: fromOrganizationalDomain && policyDomain != fromDomain)
        result.requestedPolicy = requested

        let fromOrganization = publicSuffixList.organizationalDomain(of: fromDomain)
        if let spf = evidence.spf, spf.outcome == .pass, aligned(spf.domain, fromDomain, fromOrganization, record.spfAlignment) {
            result.alignedIdentifiers.insert(.spf)
        }
        for domain in evidence.dkim.passingDomains where aligned(domain, fromDomain, fromOrganization, record.dkimAlignment) {
            result.alignedIdentifiers.insert(.dkim)
            result.alignedDKIMDomain = Self.normalised(domain)
            break
        }
        if !result.alignedIdentifiers.isEmpty {
            result.status = .pass
            let which = result.alignedIdentifiers.map(\.rawValue).sorted().joined(separator: " and ")
            result.reason = "\(which) aligned with \(fromDomain)"
            return result
        }
        // Only an SPF temperror for a domain that would align can turn the fail into a
        // temperror: otherwise a sender could dodge p=reject by breaking its own SPF lookups.
        let spfMightAlign = evidence.spf.map {
            $0.outcome == .temporaryError && aligned($0.domain, fromDomain, fromOrganization, record.spfAlignment)
        } ?? false
        let dkimMightAlign = evidence.dkim.temporaryErrorDomains.contains {
            aligned($0, fromDomain, fromOrganization, record.dkimAlignment)
        }
        if spfMightAlign || dkimMightAlign {
            result.status = .temperror
            result.reason = "no aligned pass, and an SPF or DKIM check failed temporarily"
            return result
        }
        result.status = .fail
        if configuration.percentageRoll() < record.percentage {
            result.disposition = requested
        } else {
            result.disposition = requested.lessStrict
            result.sampledOut = true
        }
        result.reason = "no aligned SPF or DKIM pass for \(fromDomain)"
        return result
    }

    /// Looks for the policy of `fromDomain` (RFC 7489 section 6.6.3): `_dmarc.<domain>`,
    /// and when that has no DMARC record, `_dmarc.<organisational domain>`.
    public func discoverPolicy(for fromDomain: String) async -> DMARCPolicyDiscovery {
        let domain = Self.normalised(fromDomain)
        switch await records(at: domain) {
        case .failure(let discovery):
            return discovery
        case .success(let texts) where texts.count > 1:
            return .multipleRecords(domain: domain)
        case .success(let texts) where texts.count == 1:
            return Self.parsed(texts[0], domain: domain, organizational: false)
        case .success:
            break
        }
        guard let organization = publicSuffixList.organizationalDomain(of: domain), organization != domain else {
            return .none(reason: "no DMARC record at \(domain)")
        }
        switch await records(at: organization) {
        case .failure(let discovery):
            return discovery
        case .success(let texts) where texts.count > 1:
            return .multipleRecords(domain: organization)
        case .success(let texts) where texts.count == 1:
            return Self.parsed(texts[0], domain: organization, organizational: true)
        case .success:
            return .none(reason: "no DMARC record at \(domain) nor at \(organization)")
        }
    }

    /// One `_dmarc` lookup: the DMARC records found, or an outcome that ends discovery.
    private enum Lookup {
        case success([String])
        case failure(DMARCPolicyDiscovery)
    }

    /// The DMARC records (TXT records starting `v=DMARC1`) at `_dmarc.<domain>`.
    private func records(at domain: String) async -> Lookup {
        guard let name = try? DNSName("_dmarc." + domain) else {
            return .failure(.none(reason: "the From domain cannot be queried"))
        }
        let answer = await resolver.resolve(name, .txt)
        if answer.isTransient { return .failure(.temporaryError(answer.status)) }
        guard answer.status == .answer else { return .success([]) }
        let texts = answer.texts
        guard texts.count <= configuration.maximumRecordsPerName else {
            return .failure(.none(reason: "more than \(configuration.maximumRecordsPerName) TXT records at _dmarc.\(domain)"))
        }
        return .success(texts.filter(DMARCRecord.isDMARCRecord))
    }

    private static func parsed(_ text: String, domain: String, organizational: Bool) -> DMARCPolicyDiscovery {
        do {
            return .found(try DMARCRecord(parsing: text), domain: domain, fromOrganizationalDomain: organizational)
        } catch {
            return .none(reason: "the DMARC record at \(domain) cannot be used: \(error.message)")
        }
    }

    private func aligned(_ identifier: String, _ fromDomain: String, _ fromOrganization: String?, _ mode: DMARCRecord.Alignment)
        -> Bool
    {
        let domain = Self.normalised(identifier)
        if domain == fromDomain { return true }
        guard mode == .relaxed, let fromOrganization else { return false }
        return publicSuffixList.organizationalDomain(of: domain) == fromOrganization
    }

    static func normalised(_ domain: String) -> String {
        var text = domain.lowercased()
        if text.hasSuffix(".") { text.removeLast() }
        if !text.utf8.allSatisfy({ $0 < 0x80 }), let ascii = try? DomainName.toASCII(text) { return ascii }
        return text
    }

    private static func describe(_ from: DMARCFromDomain) -> String {
        switch from {
        case .domain: "the From domain"
        case .missing: "the message has no From field"
        case .multipleFields: "the message has more than one From field"
        case .multipleAddresses(let count): "the From field holds \(count) addresses, not one"
        case .unparseable: "the From field has no address with a domain"
        }
    }
}
