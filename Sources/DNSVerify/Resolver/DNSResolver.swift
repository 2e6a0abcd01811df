/// The seam for looking names up. ``DNSStubResolver`` asks real name servers;
/// ``InMemoryDNSResolver`` answers from zones held in memory, with the same rules.
public protocol DNSResolver: Sendable {
    /// Looks `question` up, following CNAMEs unless the type asked is CNAME. Never
    /// throws: every way a lookup can end is a ``DNSResult/Status``.
    func resolve(_ question: DNSQuestion) async -> DNSResult
}

extension DNSResolver {
    /// Looks up records of `type` at `name` (text, Unicode allowed: it is queried in
    /// A-label form).
    /// - Throws: ``DNSError/invalidName`` when `name` is not a valid domain name.
    public func resolve(_ name: String, _ type: DNSRecordType) async throws(DNSError) -> DNSResult {
        await resolve(DNSQuestion(name: try DNSName(name), type: type))
    }

    /// Looks up records of `type` at `name`.
    public func resolve(_ name: DNSName, _ type: DNSRecordType) async -> DNSResult {
        await resolve(DNSQuestion(name: name, type: type))
    }
}
