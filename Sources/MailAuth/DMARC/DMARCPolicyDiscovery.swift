public import DNSVerify

/// The outcome of looking for a domain's DMARC record (RFC 7489 section 6.6.3).
public enum DMARCPolicyDiscovery: Sendable, Hashable {
    /// One usable record, at `domain` (`_dmarc.` not included).
    case found(DMARCRecord, domain: String, fromOrganizationalDomain: Bool)
    /// No DMARC record at the From domain nor at its organisational domain, or the
    /// published record cannot be used (no `p` and no `rua`).
    case none(reason: String)
    /// More than one DMARC record at the name asked: treated as no record (step 4).
    case multipleRecords(domain: String)
    /// A lookup failed temporarily.
    case temporaryError(DNSResult.Status)
}
