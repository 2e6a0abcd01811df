public import DNSVerify

/// Looks DKIM keys up as TXT records at `<selector>._domainkey.<domain>` through a
/// ``DNSResolver`` (``DNSStubResolver`` for real name servers, ``InMemoryDNSResolver`` for
/// tests).
public struct DNSKeySource: DKIMKeySource {
    /// The resolver asked.
    public let resolver: any DNSResolver

    /// A key source over `resolver`.
    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    /// Asks for the TXT record; NXDOMAIN and "no data" are ``DKIMKeyLookup/notFound``,
    /// transient DNS outcomes ``DKIMKeyLookup/temporaryFailure``, an alias loop or a name
    /// that cannot be a domain name ``DKIMKeyLookup/notFound``.
    public func lookUpKey(selector: String, domain: String) async -> DKIMKeyLookup {
        let name: DNSName
        do {
            name = try DNSName("\(selector)._domainkey.\(domain)")
        } catch {
            return .notFound
        }
        let result = await resolver.resolve(name, .txt)
        if result.isTransient { return .temporaryFailure }
        guard result.status == .answer else { return .notFound }
        let texts = result.texts
        guard let text = texts.first else { return .notFound }
        guard texts.count == 1 else { return .multipleRecords }
        do {
            return .found(try DKIMKeyRecord(parsing: text))
        } catch {
            return .malformed(error)
        }
    }
}
