public import CommunityMailSystem
public import DNSVerify

/// Checks whether a client may send mail for a domain with SPF (RFC 7208): `check_host()`
/// for the MAIL FROM identity and for the HELO identity, over a ``DNSResolver``.
///
/// A check never throws: every outcome, including DNS failures and broken records, is an
/// ``SPFResult``. Every query goes through the resolver (give it a ``DNSStubResolver`` in
/// production, an ``InMemoryDNSResolver`` in tests) and is bounded by ``Configuration``:
/// the RFC's 10 DNS-querying terms and 2 void lookups, 10 names per `mx` and `ptr`, plus a
/// budget of queries and of macro-expansion bytes for the whole check.
///
/// ```swift
/// let spf = SPFVerifier(resolver: DNSStubResolver())
/// let result = await spf.checkMailFrom(clientAddress: try DNSAddress("192.0.2.1"),
///                                      mailFrom: "alice@example.org", helo: "mail.example.org")
/// if result.verdict == .fail { /* 550 5.7.23, result.explanation */ }
/// ```
public struct SPFVerifier: Sendable {
    /// The resolver every lookup goes through.
    public let resolver: any DNSResolver
    /// Limits and the values of the explanation-only macros.
    public let configuration: Configuration

    /// A verifier asking `resolver`.
    public init(resolver: any DNSResolver, configuration: Configuration = Configuration()) {
        self.resolver = resolver
        self.configuration = configuration
    }

    /// Checks the MAIL FROM identity (RFC 7208 section 2.4): `mailFrom` is the
    /// reverse-path without angle brackets; when it is empty (a bounce), the identity is
    /// `postmaster@` + `helo`. A reverse-path without a local-part gets `postmaster`.
    /// `clientAddress` is the SMTP client's address (an IPv4-mapped IPv6 address counts
    /// as IPv4).
    public func checkMailFrom(clientAddress: DNSAddress, mailFrom: String, helo: String) async -> SPFResult {
        await checkMailFrom(client: clientAddress.bytes, mailFrom: mailFrom, helo: helo)
    }

    /// ``checkMailFrom(clientAddress:mailFrom:helo:)`` for a socket's address (what a
    /// server such as MailForwarder has for its client).
    public func checkMailFrom(clientAddress: InternetAddress, mailFrom: String, helo: String) async -> SPFResult {
        await checkMailFrom(client: clientAddress.bytes, mailFrom: mailFrom, helo: helo)
    }

    /// Checks the HELO identity (RFC 7208 section 2.3): the policy of the HELO name itself,
    /// with `postmaster@` + `helo` as the sender. A HELO that is an address literal or a
    /// single label gives ``SPFResult/Verdict/none``.
    public func checkHELO(clientAddress: DNSAddress, helo: String) async -> SPFResult {
        await check(identity: .helo, sender: SPFSender(localPart: "postmaster", domain: helo), client: clientAddress.bytes,
                    helo: helo)
    }

    /// ``checkHELO(clientAddress:helo:)`` for a socket's address.
    public func checkHELO(clientAddress: InternetAddress, helo: String) async -> SPFResult {
        await check(identity: .helo, sender: SPFSender(localPart: "postmaster", domain: helo), client: clientAddress.bytes,
                    helo: helo)
    }

    private func checkMailFrom(client: [UInt8], mailFrom: String, helo: String) async -> SPFResult {
        let sender = mailFrom.isEmpty ? SPFSender(localPart: "postmaster", domain: helo) : SPFSender(mailFrom: mailFrom)
        return await check(identity: .mailFrom, sender: sender, client: client, helo: helo)
    }

    /// - Parameter client: 4 or 16 address bytes (both address types guarantee it).
    private func check(identity: SPFIdentity, sender: SPFSender, client: [UInt8], helo: String) async -> SPFResult {
        let shown = identity == .helo ? helo : sender.address
        func result(_ verdict: SPFResult.Verdict, _ reason: String, explanation: String? = nil) -> SPFResult {
            SPFResult(verdict: verdict, identity: identity, sender: shown, domain: sender.domain, explanation: explanation,
                      reason: reason)
        }
        // RFC 7208 section 4.3: a malformed or single-label domain has no policy.
        guard let domain = SPFSender.queryableDomain(sender.domain) else {
            return result(.none, "the domain is not a multi-label domain name")
        }
        let evaluation = SPFEvaluation(
            resolver: resolver, configuration: configuration, client: client, sender: sender, helo: helo)
        do throws(SPFEvaluation.Abort) {
            let outcome = try await evaluation.checkHost(domain: domain)
            var explanation: String?
            if outcome.verdict == .fail {
                if let source = outcome.explanationSource {
                    explanation = await evaluation.explanation(source.spec, domain: source.domain)
                }
                explanation = explanation ?? configuration.defaultExplanation
            }
            return result(outcome.verdict, outcome.reason, explanation: explanation)
        } catch {
            switch error {
            case .temporary(let reason): return result(.temperror, reason)
            case .permanent(let reason): return result(.permerror, reason)
            }
        }
    }
}
