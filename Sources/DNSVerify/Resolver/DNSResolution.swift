/// How one question was answered by a server, or why no server answered: the input of
/// ``DNSResolution``.
enum DNSExchange: Sendable {
    /// A reply that matches the query.
    case response(DNSMessage)
    /// No usable reply; the status is transient.
    case failure(DNSResult.Status, String)
}

/// Turns server replies into a ``DNSResult``: follows CNAME chains (within one reply and
/// across queries), tells NODATA from NXDOMAIN, reads negative TTLs from the SOA, and
/// uses the cache. Shared by the stub resolver and the in-memory fake, so both follow the
/// same rules.
enum DNSResolution {
    static func resolve(_ question: DNSQuestion, maximumAliases: Int, cache: DNSCache?,
                        ask: (DNSQuestion) async -> DNSExchange) async -> DNSResult {
        if let cached = cache?.lookup(question) { return cached }
        let result = await resolveUncached(question, maximumAliases: maximumAliases, ask: ask)
        cache?.store(result)
        return result
    }

    private static func resolveUncached(_ question: DNSQuestion, maximumAliases: Int,
                                        ask: (DNSQuestion) async -> DNSExchange) async -> DNSResult {
        var name = question.name
        var aliases: [DNSRecord] = []
        var visited: Set<DNSName> = [name]
        func result(_ status: DNSResult.Status, records: [DNSRecord] = [], negativeTTL: UInt32? = nil, detail: String = "")
            -> DNSResult {
            DNSResult(question: question, status: status, records: records, aliases: aliases, canonicalName: name,
                      negativeTTL: negativeTTL, detail: detail)
        }
        while true {
            let reply: DNSMessage
            switch await ask(DNSQuestion(name: name, type: question.type, questionClass: question.questionClass)) {
            case .failure(let status, let detail): return result(status, detail: detail)
            case .response(let message): reply = message
            }
            let queried = name
            // Follow the chain as far as this reply carries it.
            while true {
                let matching = reply.answers.filter {
                    $0.name == name && (question.type == .any || $0.type == question.type) && $0.recordClass == question.questionClass
                }
                if !matching.isEmpty, reply.responseCode == .noError {
                    return result(.answer, records: matching)
                }
                guard question.type != .cname, question.type != .any,
                      let alias = reply.answers.first(where: { $0.name == name && $0.type == .cname }),
                      case .cname(let target) = alias.data
                else { break }
                aliases.append(alias)
                guard aliases.count <= maximumAliases, !visited.contains(target) else {
                    return result(.aliasLoop, detail: "CNAME chain: " + aliases.map { "\($0.name.text) -> " }.joined() + target.text)
                }
                visited.insert(target)
                name = target
            }
            let negativeTTL = Self.negativeTTL(in: reply, for: name)
            switch reply.responseCode {
            case .noError: break
            case .nameError: return result(.nonExistentDomain, negativeTTL: negativeTTL)
            case .refused: return result(.refused, detail: "the server answered REFUSED")
            default: return result(.serverFailure, detail: "the server answered \(reply.responseCode)")
            }
            // NOERROR without data: NODATA for the name asked, or for a chain target the
            // server vouches for with an SOA; otherwise ask about the target itself.
            if name == queried || negativeTTL != nil { return result(.noData, negativeTTL: negativeTTL) }
        }
    }

    /// The negative TTL an SOA in the authority section gives for `name` (RFC 2308 section 5).
    static func negativeTTL(in reply: DNSMessage, for name: DNSName) -> UInt32? {
        for record in reply.authorities where name.isSubdomain(of: record.name) {
            if case .soa(let soa) = record.data { return min(record.ttl, soa.minimum) }
        }
        return nil
    }
}
