internal import DNSVerify

extension SPFEvaluation {
    /// Whether one mechanism matches (RFC 7208 section 5). The caller has already counted
    /// it against the DNS-term limit.
    func matches(_ kind: SPFMechanism.Kind, domain: String) async throws(Abort) -> Bool {
        switch kind {
        case .all:
            return true
        case .ip4(let network), .ip6(let network):
            return network.contains(client)
        case .include(let spec):
            guard let target = try await targetName(spec, domain: domain) else {
                throw .permanent("the include target is not a valid domain name")
            }
            let outcome = try await checkHost(domain: target.spfText)
            switch outcome.verdict {
            case .pass: return true
            case .fail, .softfail, .neutral: return false
            case .none: throw .permanent("the include target has no SPF record")
            case .temperror, .permerror: throw .permanent("the include target's check failed")
            }
        case .a(let spec, let lengths):
            guard let target = try await target(spec, domain: domain) else { return false }
            return try await addressesMatch(of: target, lengths: lengths, countsVoid: true)
        case .mx(let spec, let lengths):
            guard let target = try await target(spec, domain: domain) else { return false }
            let result = try await query(target, .mx, countsVoid: true)
            guard result.records.count <= configuration.maximumMXNames else {
                throw .permanent("more than \(configuration.maximumMXNames) MX records")
            }
            for record in result.records {
                // A null MX (RFC 7505) names no host.
                guard case .mx(_, let exchange) = record.data, !exchange.isRoot else { continue }
                if try await addressesMatch(of: exchange, lengths: lengths, countsVoid: false) { return true }
            }
            return false
        case .ptr(let spec):
            guard let target = try await target(spec, domain: domain) else { return false }
            return try await validatedClientNames().contains { $0.isSubdomain(of: target) }
        case .exists(let spec):
            guard let target = try await targetName(spec, domain: domain) else { return false }
            // Always an A query, whatever the client's family (section 5.7).
            return try await !query(target, .a, countsVoid: true).records.isEmpty
        }
    }

    /// The expanded target, or the current domain when the mechanism names none.
    private func target(_ spec: SPFMacroString?, domain: String) async throws(Abort) -> DNSName? {
        if let spec { return try await targetName(spec, domain: domain) }
        return Self.name(domain)
    }

    /// Whether the client is within `lengths` of one of `name`'s addresses of its family.
    private func addressesMatch(of name: DNSName, lengths: SPFCIDRLengths, countsVoid: Bool) async throws(Abort) -> Bool {
        let result = try await query(name, client.count == 16 ? .aaaa : .a, countsVoid: countsVoid)
        let prefixLength = lengths.length(forAddressOf: client.count)
        return result.records.contains { record in
            guard let bytes = Self.address(of: record) else { return false }
            return SPFNetwork(bytes: bytes, prefixLength: prefixLength).contains(client)
        }
    }
}
