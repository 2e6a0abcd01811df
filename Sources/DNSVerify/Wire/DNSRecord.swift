/// A resource record: owner name, class, TTL and typed data.
public struct DNSRecord: Hashable, Sendable {
    /// The owner name.
    public var name: DNSName
    /// The class: `IN`, or for OPT the sender's UDP payload size.
    public var recordClass: DNSRecordClass
    /// Seconds the record may be cached; for OPT the extended code, version and flags.
    public var ttl: UInt32
    /// The typed data.
    public var data: DNSRecordData

    /// The record's type (from its data).
    public var type: DNSRecordType { data.type }

    /// A record; class `IN` unless told.
    public init(name: DNSName, ttl: UInt32, data: DNSRecordData, recordClass: DNSRecordClass = .internet) {
        self.name = name
        self.ttl = ttl
        self.data = data
        self.recordClass = recordClass
    }
}
