import CommunityMailSMTP
import CommunityMailSystem
import DNSVerify

extension DirectMXRelay {
    /// The recipients of one domain, by their index in the envelope.
    struct DomainGroup: Sendable {
        /// The domain in A-label form (compared case-insensitively).
        let domain: DNSName
        /// Indices into the envelope's recipients.
        var indices: [Int]
    }

    /// One mail exchanger of a domain, in the order it is to be tried.
    struct MailExchanger: Sendable, Hashable {
        /// Its MX preference (0 for the implicit MX).
        let preference: UInt16
        /// Its host name, which TLS checks the certificate against.
        let name: DNSName
    }

    /// Where a domain's mail goes: MX hosts to try, or a reply that ends it for every
    /// recipient of the domain.
    enum Route: Sendable {
        case exchangers([MailExchanger])
        case final(SMTPReply)
    }

    /// The usable addresses of one MX host, and why others were left out.
    struct AddressLookup: Sendable {
        var addresses: [InternetAddress] = []
        /// A lookup did not answer (timeout, SERVFAIL): asking later may find addresses.
        var wasTransient = false
    }

    /// `recipients` grouped by domain (IDNA A-labels, case-insensitive) in order of first
    /// appearance, and a reply for each recipient no domain can be read from or that an SMTP
    /// envelope cannot carry (550 5.1.3, that recipient alone).
    static func groupedByDomain(_ recipients: [String]) -> (domains: [DomainGroup], unroutable: [(Int, SMTPReply)]) {
        var groups: [DomainGroup] = []
        var position: [DNSName: Int] = [:]
        var unroutable: [(Int, SMTPReply)] = []
        for (index, recipient) in recipients.enumerated() {
            guard SMTPMessage.isUsableInEnvelope(recipient) else {
                unroutable.append((index, reply(for: SMTPError.invalidAddress)))
                continue
            }
            guard let at = recipient.lastIndex(of: "@") else {
                unroutable.append((index, Replies.badDestination))
                continue
            }
            let domainText = String(recipient[recipient.index(after: at)...])
            // Domain literals ([192.0.2.1]) are not delivered directly: they would let alias
            // data aim the forwarder at any address, bypassing the address policy.
            guard !domainText.hasPrefix("["), let domain = try? DNSName(domainText), !domain.isRoot else {
                unroutable.append((index, Replies.badDestination))
                continue
            }
            if let existing = position[domain] {
                groups[existing].indices.append(index)
            } else {
                position[domain] = groups.count
                groups.append(DomainGroup(domain: domain, indices: [index]))
            }
        }
        return (groups, unroutable)
    }

    /// The MX hosts of `domain` in the order RFC 5321 section 5.1 gives: by preference,
    /// equal preferences shuffled, the domain itself when it has no MX records; or the
    /// reply that ends delivery to it.
    func route(to domain: DNSName) async -> Route {
        let lookup = await resolver.resolve(domain, .mx)
        var exchangers: [MailExchanger]
        switch lookup.status {
        case .answer:
            exchangers = lookup.records.compactMap { record in
                guard case .mx(let preference, let exchange) = record.data else { return nil }
                return MailExchanger(preference: preference, name: exchange)
            }
            // RFC 7505: a lone "0 ." says the domain takes no mail.
            let nullMX = exchangers.filter(\.name.isRoot)
            exchangers.removeAll { $0.name.isRoot }
            if exchangers.isEmpty { return .final(nullMX.isEmpty ? Replies.noRoute : Replies.nullMX) }
        case .noData:
            exchangers = [MailExchanger(preference: 0, name: domain)]
        case .nonExistentDomain:
            return .final(Replies.noSuchDomain)
        case .aliasLoop:
            return .final(Replies.noRoute)
        case .serverFailure, .refused, .timeout, .networkFailure, .malformedResponse:
            return .final(Replies.dnsDeferred)
        }
        // RFC 5321 section 5.1: when we are in the list, only hosts preferred to us may
        // take the mail; none is a loop.
        if let ours = exchangers.filter({ localNames.contains($0.name) }).map(\.preference).min() {
            exchangers.removeAll { $0.preference >= ours }
            if exchangers.isEmpty { return .final(Replies.loop) }
        }
        return .exchangers(Self.ordered(exchangers))
    }

    /// By preference; hosts of equal preference in random order (RFC 5321 section 5.1).
    static func ordered(_ exchangers: [MailExchanger]) -> [MailExchanger] {
        var random = SystemRandomNumberGenerator()
        return Dictionary(grouping: exchangers, by: \.preference).sorted { $0.key < $1.key }
            .flatMap { $0.value.shuffled(using: &random) }
    }

    /// The addresses of `host` (IPv4 first, then IPv6) that the address policy allows, at
    /// most `limit` of them (the attempts left: a zone may list thousands).
    func addresses(of host: DNSName, atMost limit: Int) async -> AddressLookup {
        async let ipv4 = resolver.resolve(host, .a)
        async let ipv6 = resolver.resolve(host, .aaaa)
        var lookup = AddressLookup()
        var seen: Set<InternetAddress> = []
        for result in await [ipv4, ipv6] {
            if result.isTransient { lookup.wasTransient = true }
            for record in result.records where lookup.addresses.count < limit {
                let address: InternetAddress
                switch record.data {
                case .a(let value), .aaaa(let value): address = InternetAddress(bytes: value.bytes)
                default: continue
                }
                if isAllowed(address), seen.insert(address).inserted { lookup.addresses.append(address) }
            }
        }
        return lookup
    }

    /// Public addresses always; private ones (loopback, RFC 1918, ULA) when configured;
    /// unusable ones (multicast, unspecified, documentation) never.
    func isAllowed(_ address: InternetAddress) -> Bool {
        switch address.reach {
        case .publicInternet: true
        case .privateNetwork: configuration.allowsPrivateAddresses
        case .unusable: false
        }
    }
}
