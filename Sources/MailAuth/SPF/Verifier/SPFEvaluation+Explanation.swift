internal import DNSVerify

extension SPFEvaluation {
    /// The explanation of a fail (RFC 7208 section 6.2): the TXT record at the expanded
    /// `exp=` target, expanded as explain-string. Nil, so that the default applies, for
    /// every problem on the way: an expansion error, a DNS error, no record or several,
    /// non-ASCII text, bad macro syntax, or the query budget spent.
    func explanation(_ spec: SPFMacroString, domain: String) async -> String? {
        do throws(Abort) {
            guard let target = try await targetName(spec, domain: domain) else { return nil }
            let result = try await ask(target, .txt)
            guard result.status == .answer, result.records.count == 1, case .txt(let strings) = result.records[0].data else {
                return nil
            }
            let text = Array(strings.joined())
            guard text.allSatisfy({ $0 < 0x80 }), let explainString = try? SPFMacroString(parsing: text, isExplanation: true) else {
                return nil
            }
            var context = macroContext(domain: domain)
            if explainString.usesValidatedName { context.validatedName = try await validatedName(domain: domain) }
            guard let expanded = explainString.expanded(with: context, limit: configuration.maximumExpansionLength) else {
                return nil
            }
            return String(decoding: expanded, as: UTF8.self)
        } catch {
            return nil
        }
    }
}
