/// One EDNS(0) option (RFC 6891 section 6.1.2).
public struct DNSOption: Hashable, Sendable {
    /// The option code.
    public var code: UInt16
    /// The option data.
    public var data: [UInt8]
    /// An option from its code and data.
    public init(code: UInt16, data: [UInt8]) {
        self.code = code
        self.data = data
    }
}
