import CommunityMailSMTP
public import DNSVerify

/// Delivers each message straight to its recipients' mail exchangers (RFC 5321 section
/// 5.1), without a smarthost: the recipients are grouped by domain, each domain's MX hosts
/// are looked up with DNSVerify's resolver and tried in preference order, and the domains
/// are delivered concurrently (at most ``Configuration/maximumConcurrentDomains`` at once).
///
/// Per domain:
/// - MX hosts by preference, equal preferences in random order, each host's IPv4 then IPv6
///   addresses; no MX records: the domain itself (implicit MX);
/// - a null MX (RFC 7505, `0 .`): 556 5.1.10 for that domain's recipients; a domain that does
///   not exist: 550 5.1.2; no MX and no address: 550 5.4.4; DNS that did not answer
///   (timeout, SERVFAIL): 451 4.4.3;
/// - a connection failure, a TLS failure or a 4xx reply from one address: the next address
///   (at most ``Configuration/maximumAttempts``); a 5xx reply is final;
/// - an MX list naming one of ``Configuration/localNames``: only hosts preferred to us are
///   tried, and none left is a loop (554 5.4.6).
///
/// ```swift
/// let resolver = try DNSStubResolver(cache: DNSCache())
/// let direct = DirectMXRelay(configuration: .init(heloName: "mx.example.net"), resolver: resolver)
/// let server = try await ForwarderServer(address: address, configuration: configuration,
///                                        policy: policy, relay: direct, srs: srs)
/// ```
public struct DirectMXRelay: RelayHop {
    /// The configuration.
    public let configuration: Configuration
    let resolver: any DNSResolver
    let client: SMTPClient

    /// A relay that looks MX records up with `resolver` and delivers as `configuration` says.
    public init(configuration: Configuration, resolver: any DNSResolver) {
        self.configuration = configuration
        self.resolver = resolver
        var client = configuration.client
        client.heloName = configuration.heloName
        self.client = SMTPClient(configuration: client)
    }

    /// Delivers `envelope` to each recipient domain's MX and gives each recipient the reply
    /// of its domain's delivery.
    public func relay(_ envelope: RelayEnvelope) async -> RelayOutcome {
        let groups = Self.groupedByDomain(envelope.recipients)
        var replies = [SMTPReply?](repeating: nil, count: envelope.recipients.count)
        for (index, reply) in groups.unroutable { replies[index] = reply }
        let limit = max(1, configuration.maximumConcurrentDomains)
        await withTaskGroup(of: [(Int, SMTPReply)].self) { group in
            var pending = groups.domains[...]
            func startNext() {
                guard let next = pending.popFirst() else { return }
                group.addTask {
                    let recipients = next.indices.map { envelope.recipients[$0] }
                    let domainReplies = await deliverWithinTimeout(envelope, to: recipients, in: next.domain)
                    return Array(zip(next.indices, domainReplies))
                }
            }
            for _ in 0..<limit { startNext() }
            for await finished in group {
                for (index, reply) in finished { replies[index] = reply }
                startNext()
            }
        }
        return RelayOutcome(replies: replies.map { $0 ?? Replies.cancelled })
    }
}
