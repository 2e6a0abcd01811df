import Foundation

extension DomainVerifier {
    /// The ownership check: exactly one TXT record starting with the prefix, whose rest
    /// (strings joined within the record) equals `token`.
    public func checkVerification(domain: DNSName, token: String) async -> DomainCheck {
        let prefix = configuration.verificationPrefix
        let wanted = prefix + token
        let result = await resolver.resolve(domain, .txt)
        if let unsure = indeterminate(.verification, result) { return unsure }
        let texts = result.texts
        let candidates = texts.filter { $0.hasPrefix(prefix) }
        let check = { (status: DomainCheck.Status, message: String) in
            DomainCheck(kind: .verification, status: status, name: domain.text, records: texts, message: message)
        }
        switch candidates.count {
        case 0:
            return check(.fail, "\(absence(result)) Add a TXT record at \(domain.text) with the value \"\(wanted)\".")
        case 1 where candidates[0] == wanted:
            return check(.pass, "The TXT record \"\(wanted)\" is published.")
        case 1:
            return check(.fail, "The TXT record is \"\(candidates[0])\"; change it to \"\(wanted)\".")
        default:
            return check(.fail, "There are \(candidates.count) TXT records starting with \"\(prefix)\"; keep only \"\(wanted)\" and remove the others.")
        }
    }

    /// The MX check: every expected exchange present, and no other.
    public func checkMailExchanges(domain: DNSName) async -> DomainCheck {
        let result = await resolver.resolve(domain, .mx)
        if let unsure = indeterminate(.mailExchanges, result) { return unsure }
        let expected = configuration.mailExchanges.map(Self.normalised)
        var seen: [String] = []
        var records: [String] = []
        for record in result.records {
            guard case .mx(let preference, let exchange) = record.data else { continue }
            seen.append(exchange.isRoot ? "." : exchange.text)
            records.append("\(preference) \(exchange.isRoot ? "." : exchange.text)")
        }
        let missing = expected.filter { !seen.contains($0) }
        let others = seen.filter { !expected.contains($0) }
        var problems: [String] = []
        if seen.isEmpty { problems.append(absence(result)) }
        if !missing.isEmpty { problems.append("Add MX records for \(missing.joined(separator: ", ")).") }
        if !others.isEmpty {
            problems.append("Remove the MX records for \(others.joined(separator: ", ")): mail sent there does not reach the service.")
        }
        guard problems.isEmpty else {
            return DomainCheck(kind: .mailExchanges, status: .fail, name: domain.text, records: records,
                               message: problems.joined(separator: " "))
        }
        return DomainCheck(kind: .mailExchanges, status: .pass, name: domain.text, records: records,
                           message: "The MX records point at \(expected.joined(separator: ", ")) only.")
    }

    /// The SPF check: exactly one `v=spf1` record, which includes the expected domain
    /// with a pass qualifier.
    public func checkSPF(domain: DNSName) async -> DomainCheck {
        let include = "include:" + Self.normalised(configuration.spfInclude)
        let result = await resolver.resolve(domain, .txt)
        if let unsure = indeterminate(.spf, result) { return unsure }
        let policies = result.texts.filter { Self.isSPF($0) }
        let check = { (status: DomainCheck.Status, message: String, details: [String: String]) in
            DomainCheck(kind: .spf, status: status, name: domain.text, records: policies, message: message, details: details)
        }
        guard policies.count == 1, let policy = policies.first else {
            if policies.isEmpty {
                return check(.fail, "\(absence(result)) Add a TXT record at \(domain.text): \"v=spf1 \(include) -all\".", [:])
            }
            return check(.fail, "There are \(policies.count) SPF records, which makes SPF fail (RFC 7208 section 4.5); merge them into one that contains \(include).", [:])
        }
        let terms = policy.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.lowercased() }
        for term in terms.dropFirst() {
            var qualifier = "+"
            var mechanism = Substring(term)
            if let first = term.first, "+-~?".contains(first) {
                qualifier = String(first)
                mechanism = mechanism.dropFirst()
            }
            guard mechanism == include else { continue }
            if qualifier == "+" { return check(.pass, "The SPF record includes \(include).", ["qualifier": qualifier]) }
            return check(.fail, "The SPF record has \(qualifier)\(include), which does not authorise the service; write \(include) without \(qualifier).",
                         ["qualifier": qualifier])
        }
        return check(.fail, "The SPF record does not include \(include); add it before the final all, as in \"v=spf1 \(include) -all\".", [:])
    }

    /// The DMARC check: exactly one `v=DMARC1` record at `_dmarc.<domain>` with a policy;
    /// `p` and `pct` (default 100) are reported in ``DomainCheck/details``.
    public func checkDMARC(domain: DNSName) async -> DomainCheck {
        guard let name = try? domain.prepending("_dmarc") else {
            return DomainCheck(kind: .dmarc, status: .fail, name: domain.text, message: "The domain name is too long for a _dmarc record.")
        }
        let result = await resolver.resolve(name, .txt)
        if let unsure = indeterminate(.dmarc, result, name: name) { return unsure }
        let policies = result.texts.filter { $0.trimmingLeadingSpaces.lowercased().hasPrefix("v=dmarc1") }
        let example = "\"v=DMARC1; p=quarantine; pct=100\""
        guard policies.count == 1, let policy = policies.first else {
            let message = policies.isEmpty
                ? "\(absence(result, name: name)) Add a TXT record at \(name.text) such as \(example)."
                : "There are \(policies.count) DMARC records at \(name.text), so receivers ignore them all (RFC 7489 section 6.6.3); keep one."
            return DomainCheck(kind: .dmarc, status: .fail, name: name.text, records: policies, message: message)
        }
        let tags = Self.tags(policy)
        var details = ["pct": tags["pct"] ?? "100"]
        guard let p = tags["p"], ["none", "quarantine", "reject"].contains(p.lowercased()) else {
            return DomainCheck(kind: .dmarc, status: .fail, name: name.text, records: policies, message:
                "The DMARC record has no valid policy (p=none, quarantine or reject); add one, as in \(example).", details: details)
        }
        details["p"] = p.lowercased()
        return DomainCheck(kind: .dmarc, status: .pass, name: name.text, records: policies,
                           message: "DMARC policy p=\(p.lowercased()) applies to \(details["pct"] ?? "100")% of mail.", details: details)
    }

    /// The DKIM check: the TXT record at `<selector>._domainkey.<domain>` has the expected
    /// public key (the `p=` tag, whitespace ignored).
    public func checkDKIM(domain: DNSName, expectation: DKIMExpectation) async -> DomainCheck {
        guard let name = try? domain.prepending("_domainkey").prepending(expectation.selector) else {
            return DomainCheck(kind: .dkim, status: .fail, name: domain.text,
                               message: "The selector \"\(expectation.selector)\" does not make a valid DNS name.")
        }
        let wanted = Self.dkimKey(expectation.publicKey)
        let result = await resolver.resolve(name, .txt)
        if let unsure = indeterminate(.dkim, result, name: name) { return unsure }
        let texts = result.texts
        let keys = texts.filter { Self.tags($0)["p"] != nil || $0.lowercased().contains("v=dkim1") }.map { Self.dkimKey($0) }
        let check = { (status: DomainCheck.Status, message: String) in
            DomainCheck(kind: .dkim, status: status, name: name.text, records: texts, message: message)
        }
        if keys.isEmpty {
            return check(.fail, "\(absence(result, name: name)) Add a TXT record at \(name.text): \"v=DKIM1; k=rsa; p=\(wanted)\".")
        }
        if keys.count > 1 { return check(.fail, "There are \(keys.count) DKIM records at \(name.text); keep only the one with the expected key.") }
        if keys[0] == wanted { return check(.pass, "The DKIM key at \(name.text) matches.") }
        if keys[0].isEmpty { return check(.fail, "The DKIM key at \(name.text) is revoked (empty p=); publish p=\(wanted).") }
        return check(.fail, "The DKIM key at \(name.text) differs from the expected one; replace its p= value with \(wanted).")
    }

    /// The return-path check: the name is a CNAME of the expected target.
    public func checkReturnPath(domain: DNSName, expectation: ReturnPathExpectation) async -> DomainCheck {
        let name: DNSName
        let target: DNSName
        do {
            let given = try DNSName(expectation.name)
            name = given.isSubdomain(of: domain) ? given : try DNSName(labels: given.labels + domain.labels)
            target = try DNSName(expectation.target)
        } catch {
            return DomainCheck(kind: .returnPath, status: .fail, name: expectation.name, message: "The return-path name is not valid: \(error.message)")
        }
        let result = await resolver.resolve(name, .cname)
        if let unsure = indeterminate(.returnPath, result, name: name) { return unsure }
        let targets = result.records.compactMap { record -> DNSName? in
            if case .cname(let target) = record.data { return target }
            return nil
        }
        let records = targets.map(\.text)
        guard let found = targets.first else {
            return DomainCheck(kind: .returnPath, status: .fail, name: name.text, message:
                "\(absence(result, name: name)) Add a CNAME record: \(name.text) -> \(target.text).")
        }
        if found == target {
            return DomainCheck(kind: .returnPath, status: .pass, name: name.text, records: records, message: "\(name.text) is a CNAME of \(target.text).")
        }
        return DomainCheck(kind: .returnPath, status: .fail, name: name.text, records: records,
                           message: "\(name.text) is a CNAME of \(found.text); change it to \(target.text).")
    }

    // MARK: Helpers

    /// An indeterminate result when the lookup failed transiently, else nil.
    private func indeterminate(_ kind: DomainCheck.Kind, _ result: DNSResult, name: DNSName? = nil) -> DomainCheck? {
        guard result.isTransient else { return nil }
        return DomainCheck(kind: kind, status: .indeterminate, name: (name ?? result.question.name).text,
                           message: "DNS did not answer reliably (\(result)); nothing to change yet, check again later.")
    }

    /// Why no record was found, for messages.
    private func absence(_ result: DNSResult, name: DNSName? = nil) -> String {
        let text = (name ?? result.question.name).text
        switch result.status {
        case .nonExistentDomain: return "\(text) does not exist in DNS (NXDOMAIN)."
        case .aliasLoop: return "\(text) is a CNAME chain that loops or is too long; fix the CNAME records."
        default: return "No matching \(result.question.type) record was found at \(text)."
        }
    }

    static func normalised(_ name: String) -> String {
        (try? DNSName(name).text) ?? name.lowercased().trimmingSuffix(".")
    }

    static func isSPF(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower == "v=spf1" || lower.hasPrefix("v=spf1 ")
    }

    /// `tag=value` pairs separated by `;` (DKIM and DMARC syntax), names lowercased.
    static func tags(_ text: String) -> [String: String] {
        var tags: [String: String] = [:]
        for part in text.split(separator: ";") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let name = part[..<equals].trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            guard tags[name] == nil else { continue }
            tags[name] = part[part.index(after: equals)...].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return tags
    }

    /// The base64 key of a DKIM record or bare key, whitespace removed.
    static func dkimKey(_ text: String) -> String {
        let value = text.contains("=") && (text.contains(";") || text.lowercased().hasPrefix("p=") || text.lowercased().hasPrefix("v="))
            ? (tags(text)["p"] ?? "") : text
        return value.filter { !$0.isWhitespace }
    }
}

extension String {
    fileprivate var trimmingLeadingSpaces: Substring { drop { $0 == " " || $0 == "\t" } }

    fileprivate func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
