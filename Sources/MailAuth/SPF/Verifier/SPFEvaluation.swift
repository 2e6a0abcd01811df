internal import CommunityMailSystem
internal import DNSVerify
internal import Foundation

/// One run of check_host() with its counters (RFC 7208 sections 4 and 5): the DNS-term
/// and void-lookup limits span the included and redirected records, so they live here,
/// not in a recursive call. Used by one task only.
final class SPFEvaluation {
    /// How a check stops early.
    enum Abort: Error {
        /// temperror, with the reason.
        case temporary(String)
        /// permerror, with the reason.
        case permanent(String)
    }

    /// The verdict of one check_host() level, before the explanation is fetched.
    struct Outcome {
        var verdict: SPFResult.Verdict
        var reason: String
        /// For a fail: the `exp=` of the record that failed, and that record's domain.
        var explanationSource: (spec: SPFMacroString, domain: String)?
    }

    let resolver: any DNSResolver
    let configuration: SPFVerifier.Configuration
    /// The client address, normalised (IPv4-mapped IPv6 as IPv4): 4 or 16 bytes.
    let client: [UInt8]
    let sender: SPFSender
    let helo: String
    let deadline: Date

    var dnsTerms = 0
    var voidLookups = 0
    var queries = 0
    /// The client's validated names, once looked up (for `ptr` and `%{p}`).
    var validatedNames: [DNSName]?

    /// - Parameter client: the client's address bytes, 4 or 16.
    init(resolver: any DNSResolver, configuration: SPFVerifier.Configuration, client: [UInt8], sender: SPFSender,
         helo: String) {
        self.resolver = resolver
        self.configuration = configuration
        self.client = SPFNetwork.normalised(client)
        self.sender = sender
        self.helo = helo
        self.deadline = configuration.clock.now().addingTimeInterval(configuration.timeLimit.timeInterval)
    }

    /// check_host() for `domain` (already known to be a queryable name, or the target of
    /// include/redirect). Returns none, neutral, pass, fail or softfail; throws for the errors.
    func checkHost(domain: String) async throws(Abort) -> Outcome {
        guard let text = try await record(for: domain) else {
            return Outcome(verdict: .none, reason: "no SPF record")
        }
        let record: SPFRecord
        do {
            record = try SPFRecord(parsing: text)
        } catch {
            throw .permanent("syntax error: \(error.message)")
        }
        for mechanism in record.mechanisms {
            if mechanism.queriesDNS { try countTerm() }
            if try await matches(mechanism.kind, domain: domain) {
                let verdict = mechanism.qualifier.verdict
                return Outcome(
                    verdict: verdict, reason: "mechanism \(mechanism.summary) matched",
                    explanationSource: verdict == .fail ? record.explanation.map { ($0, domain) } : nil)
            }
        }
        if let redirect = record.redirect {
            try countTerm()
            guard let target = try await targetName(redirect, domain: domain) else {
                throw .permanent("the redirect target is not a valid domain name")
            }
            let outcome = try await checkHost(domain: target.spfText)
            guard outcome.verdict != .none else { throw .permanent("the redirect target has no SPF record") }
            return outcome
        }
        return Outcome(verdict: .neutral, reason: "no mechanism matched")
    }

    /// The one SPF record at `domain`, nil when there is none (RFC 7208 section 4.5).
    private func record(for domain: String) async throws(Abort) -> [UInt8]? {
        guard let name = Self.name(domain) else { return nil }
        let result = try await query(name, .txt)
        let candidates = result.records.compactMap { record -> [UInt8]? in
            guard case .txt(let strings) = record.data else { return nil }
            let text = Array(strings.joined())
            return SPFRecord.isVersion1(text) ? text : nil
        }
        guard candidates.count <= 1 else { throw .permanent("more than one SPF record") }
        return candidates.first
    }

    private func countTerm() throws(Abort) {
        dnsTerms += 1
        guard dnsTerms <= configuration.maximumDNSTerms else {
            throw .permanent("more than \(configuration.maximumDNSTerms) DNS-querying terms")
        }
    }
}
