import CommunityMailSMTP
public import DNSVerify

/// Delivers each message straight to its recipients' mail exchangers (RFC 5321 section
/// 5.1), without a smarthost: the recipients are grouped by domain, each domain's MX hosts
/// are looked up with DNSVerify's resolver and tried in preference order, and the domains
/// are delivered concurrently (at most ``Configuration/maximumConcurrentDomains`` at once),
/// all within one ``Configuration/deliveryTimeout`` from the start of ``relay(_:)``.
///
/// Per domain:
/// - MX hosts by preference, equal preferences in random order, each host's IPv4 then IPv6
///   addresses; no MX records: the domain itself (implicit MX);
/// - a null MX (RFC 7505, `0 .`): 556 5.1.10 for that domain's recipients; a domain that does
///   not exist: 550 5.1.2; no MX and no address: 550 5.4.4; DNS that did not answer
///   (timeout, SERVFAIL): 451 4.4.3;
/// - a connection failure or a 4xx reply from one address: the next address (at most
///   ``Configuration/maximumAttempts``); so is a TLS failure when TLS is required (with
///   opportunistic TLS a failed handshake is followed by plaintext at the same address);
/// - a 5xx greeting or a refused EHLO and HELO: the next address too (the MX refused us,
///   not the message: Postfix's `smtp_skip_5xx_greeting`); when no other address takes the
///   recipients they are deferred with it (451), never bounced; a 5xx reply to MAIL, RCPT
///   or the message is final;
/// - an MX list naming one of ``Configuration/localNames``: only hosts preferred to us are
///   tried, and none left is a loop (554 5.4.6).
///
/// ```swift
/// let resolver = try DNSStubResolver(cache: DNSCache())
/// let direct = try DirectMXRelay(configuration: .init(heloName: "mx.example.net"), resolver: resolver)
/// let server = try await ForwarderServer(address: address, configuration: configuration,
///                                        policy: policy, relay: direct, srs: srs)
/// ```
public struct DirectMXRelay: RelayHop {
    /// The configuration.
    public let configuration: Configuration
    let resolver: any DNSResolver
    let client: SMTPClient
    /// ``Configuration/localNames`` and ``Configuration/heloName`` as DNS names, read once.
    let localNames: Set<DNSName>

    /// A relay that looks MX records up with `resolver` and delivers as `configuration` says.
    /// - Throws: ``ForwarderError/invalidConfiguration`` when ``Configuration/heloName`` or a
    ///   member of ``Configuration/localNames`` is not a DNS name: loop detection would
    ///   silently miss it.
    public init(configuration: Configuration, resolver: any DNSResolver) throws(ForwarderError) {
        var names: Set<DNSName> = []
        for name in configuration.localNames.union([configuration.heloName]) {
            guard let parsed = try? DNSName(name), !parsed.isRoot else {
                throw ForwarderError.invalidConfiguration.with(message: "a local name of the direct relay is not a DNS name")
            }
            names.insert(parsed)
        }
        self.localNames = names
        self.configuration = configuration
        self.resolver = resolver
        var client = configuration.client
        client.heloName = configuration.heloName
        // An MX takes mail without AUTH, and credentials must never go to whichever host a
        // recipient's DNS names.
        client.credentials = nil
        client.allowsPlaintextAuthentication = false
        self.client = SMTPClient(configuration: client)
    }

    /// Delivers `envelope` to each recipient domain's MX and gives each recipient the reply
    /// of its domain's delivery. Returns by ``Configuration/deliveryTimeout`` after it was
    /// called (and the cancelled deliveries' wind-down): domains still waiting for a turn
    /// then are not started and get 451 4.4.7.
    public func relay(_ envelope: RelayEnvelope) async -> RelayOutcome {
        let deadline = ContinuousClock.now + configuration.deliveryTimeout
        let groups = Self.groupedByDomain(envelope.recipients)
        var replies = [SMTPReply?](repeating: nil, count: envelope.recipients.count)
        for (index, reply) in groups.unroutable { replies[index] = reply }
        guard let firstGroup = groups.domains.first else { return RelayOutcome(replies: replies.map { $0 ?? Replies.cancelled }) }
        // Encoded (CRLF, dot-stuffed) once; each transaction reuses the bytes.
        let message: SMTPMessage
        do {
            message = try SMTPMessage(
                sender: envelope.sender, recipients: [envelope.recipients[firstGroup.indices[0]]], content: envelope.content)
        } catch {
            let reply = Self.reply(for: error)
            return RelayOutcome(replies: replies.map { $0 ?? reply })
        }
        let limit = max(1, configuration.maximumConcurrentDomains)
        await withTaskGroup(of: [(Int, SMTPReply)].self) { group in
            var pending = groups.domains[...]
            func startNext() {
                while let next = pending.popFirst() {
                    // The message's time is up (or it was cancelled) while this domain waited
                    // for a turn: starting now would outlast the sender's patience.
                    guard ContinuousClock.now < deadline, !Task.isCancelled else {
                        let reply = Task.isCancelled ? Replies.cancelled : Replies.expired
                        for index in next.indices { replies[index] = reply }
                        continue
                    }
                    group.addTask {
                        let recipients = next.indices.map { envelope.recipients[$0] }
                        let domainReplies = await deliver(message, to: recipients, in: next.domain, until: deadline)
                        return Array(zip(next.indices, domainReplies))
                    }
                    return
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
