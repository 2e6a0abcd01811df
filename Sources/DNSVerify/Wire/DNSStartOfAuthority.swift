/// The data of an SOA record (RFC 1035 section 3.3.13).
public struct DNSStartOfAuthority: Hashable, Sendable {
    /// The primary name server.
    public var primaryServer: DNSName
    /// The mailbox of the person responsible, as a name.
    public var responsibleMailbox: DNSName
    /// The zone's version.
    public var serial: UInt32
    /// Seconds between refreshes by secondaries.
    public var refresh: UInt32
    /// Seconds before a failed refresh is retried.
    public var retry: UInt32
    /// Seconds after which secondaries stop answering without a refresh.
    public var expire: UInt32
    /// The TTL of negative answers (RFC 2308).
    public var minimum: UInt32

    /// An SOA from its fields.
    public init(primaryServer: DNSName, responsibleMailbox: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32,
                expire: UInt32, minimum: UInt32) {
        self.primaryServer = primaryServer
        self.responsibleMailbox = responsibleMailbox
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}
