/// The resolution rules, over any ``AliasReading`` view. Shared by every store and the
/// Postfix export, so they cannot drift apart.
///
/// Order for a local part `l` on a served, verified domain `d`:
/// 1. the exact alias `l@d` (compared in lowercase);
/// 2. when `l` has a `+tag`, the alias for the part before the first `+`;
/// 3. the domain's pattern aliases, in name order, against all of `l`;
/// 4. the catch-all `*@d`.
/// The first found decides: disabled rejects (5.2.1), a banned owner rejects (5.7.1).
/// Each recipient on one of our own domains is resolved the same way (a chain), with loop
/// detection along the path and ``AliasPolicy/maxChainDepth``; any rejection along a chain
/// rejects the whole address, so misconfiguration is loud rather than silently lossy.
///
/// The work of one resolution is bounded: look-ups by ``AliasPolicy/maxLookupsPerResolution``,
/// each pattern by ``AliasPolicy/patternStepBudget``, and all patterns tried together by
/// ``AliasPolicy/patternStepsPerResolution``.
struct AliasResolver<Reader: AliasReading> {
    let policy: AliasPolicy
    let reader: Reader
    /// Where compiled patterns come from (the store's, so they are compiled once).
    let patterns: AliasPatternCache

    private struct Walk {
        var path: [String] = []
        var lookups = 0
        /// Matcher steps spent on patterns so far.
        var patternSteps = 0
        var output: [String] = []
        /// The output as a set, once it is long enough for a linear search to cost more.
        var seen: Set<String>?

        mutating func append(_ recipient: String) {
            if seen != nil {
                if seen!.insert(recipient).inserted { output.append(recipient) }
                return
            }
            guard !output.contains(recipient) else { return }
            output.append(recipient)
            if output.count > 16 { seen = Set(output) }
        }
    }

    private enum Stop: Error {
        case rejected(RejectionReason)
    }

    /// Resolves `address`.
    func resolve(_ address: String) -> Resolution {
        guard let parsed = try? EmailAddress(address) else { return .rejected(Rejection(.invalidAddress)) }
        do {
            guard let verified = try reader.domainVerified(parsed.domain) else { return .unknown }
            var walk = Walk()
            try resolve(local: parsed.localPart.lowercased(), domain: parsed.domain, verified: verified, depth: 0, walk: &walk)
            return .recipients(walk.output)
        } catch Stop.rejected(let reason) {
            return .rejected(Rejection(reason))
        } catch {
            return .rejected(Rejection(.storageUnavailable))
        }
    }

    /// The final recipients of `match` (the alias at `address`) itself (the export's view of one alias), or the
    /// rejection its chain runs into; never `.unknown`.
    func expand(_ match: AliasMatch, address: String) -> Resolution {
        var walk = Walk()
        do {
            try expand(match, key: address, depth: 0, walk: &walk)
            return .recipients(walk.output)
        } catch Stop.rejected(let reason) {
            return .rejected(Rejection(reason))
        } catch {
            return .rejected(Rejection(.storageUnavailable))
        }
    }

    /// `verified` is the domain's flag, which the caller has just read to know the domain is ours.
    private func resolve(local: String, domain: String, verified: Bool, depth: Int, walk: inout Walk) throws {
        let key = "\(local)@\(domain)"
        guard !walk.path.contains(key) else { throw Stop.rejected(.forwardingLoop) }
        guard depth <= policy.maxChainDepth else { throw Stop.rejected(.chainTooDeep) }
        walk.lookups += 1
        guard walk.lookups <= policy.maxLookupsPerResolution else { throw Stop.rejected(.chainTooDeep) }
        guard verified else { throw Stop.rejected(.domainUnverified) }
        guard let match = try find(local: local, domain: domain, walk: &walk) else { throw Stop.rejected(.noSuchAlias) }
        try expand(match, key: key, depth: depth, walk: &walk)
    }

    private func find(local: String, domain: String, walk: inout Walk) throws -> AliasMatch? {
        if let match = try reader.exactAlias(domain: domain, name: local) { return match }
        if let plus = local.firstIndex(of: "+"), plus != local.startIndex {
            if let match = try reader.exactAlias(domain: domain, name: String(local[..<plus])) { return match }
        }
        for candidate in try reader.patternAliases(domain: domain) {
            guard let pattern = patterns.pattern(String(candidate.name.dropFirst().dropLast())) else { continue }
            let left = policy.patternStepsPerResolution - walk.patternSteps
            guard left > 0 else { throw Stop.rejected(.resolutionBudgetExceeded) }
            let budget = min(policy.patternStepBudget, left)
            switch pattern.evaluate(local, stepBudget: budget, steps: &walk.patternSteps) {
            case .match: return candidate
            case .noMatch: continue
            case .budgetExceeded:
                throw Stop.rejected(budget < policy.patternStepBudget ? .resolutionBudgetExceeded : .patternBudgetExceeded)
            }
        }
        return try reader.exactAlias(domain: domain, name: "*")
    }

    private func expand(_ match: AliasMatch, key: String, depth: Int, walk: inout Walk) throws {
        guard match.enabled else { throw Stop.rejected(.aliasDisabled) }
        guard !match.ownerBanned else { throw Stop.rejected(.ownerBanned) }
        walk.path.append(key)
        defer { walk.path.removeLast() }
        for recipient in match.recipients {
            guard let at = recipient.utf8.lastIndex(of: UInt8(ascii: "@")) else { continue }
            let (local, written) = EmailAddress.split(recipient, at: at)
            let domain = written.lowercased()
            if let verified = try reader.domainVerified(domain) {
                try resolve(local: local.lowercased(), domain: domain, verified: verified, depth: depth + 1, walk: &walk)
            } else {
                walk.append(recipient)
            }
        }
    }
}
