/// The fixed 12-byte message header (RFC 1035 section 4.1.1) without the section counts,
/// which a ``DNSMessage`` derives from its sections.
public struct DNSHeader: Hashable, Sendable {
    /// The id that pairs a response with its query.
    public var id: UInt16
    /// True in a response (QR).
    public var isResponse: Bool
    /// The kind of query; 0 is a standard query.
    public var opcode: UInt8
    /// The answer comes from a server authoritative for the name (AA).
    public var isAuthoritative: Bool
    /// The message was cut to fit (TC): ask again over TCP.
    public var isTruncated: Bool
    /// The querier wants the server to recurse (RD).
    public var recursionDesired: Bool
    /// The server offers recursion (RA).
    public var recursionAvailable: Bool
    /// The data was validated by DNSSEC (AD, RFC 4035).
    public var authenticData: Bool
    /// The querier does not want DNSSEC checking (CD, RFC 4035).
    public var checkingDisabled: Bool
    /// The low 4 bits of the response code; ``DNSMessage/responseCode`` adds the EDNS bits.
    public var responseCode: UInt8

    /// A header; a standard query with recursion desired unless told.
    public init(id: UInt16, isResponse: Bool = false, opcode: UInt8 = 0, isAuthoritative: Bool = false,
                isTruncated: Bool = false, recursionDesired: Bool = true, recursionAvailable: Bool = false,
                authenticData: Bool = false, checkingDisabled: Bool = false, responseCode: UInt8 = 0) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.isAuthoritative = isAuthoritative
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
        self.responseCode = responseCode
    }

    /// The 16 flag bits as on the wire.
    var flags: UInt16 {
        var value = UInt16(responseCode & 0x0F)
        if isResponse { value |= 0x8000 }
        value |= UInt16(opcode & 0x0F) << 11
        if isAuthoritative { value |= 0x0400 }
        if isTruncated { value |= 0x0200 }
        if recursionDesired { value |= 0x0100 }
        if recursionAvailable { value |= 0x0080 }
        if authenticData { value |= 0x0020 }
        if checkingDisabled { value |= 0x0010 }
        return value
    }

    init(id: UInt16, flags: UInt16) {
        self.init(
            id: id, isResponse: flags & 0x8000 != 0, opcode: UInt8((flags >> 11) & 0x0F), isAuthoritative: flags & 0x0400 != 0,
            isTruncated: flags & 0x0200 != 0, recursionDesired: flags & 0x0100 != 0, recursionAvailable: flags & 0x0080 != 0,
            authenticData: flags & 0x0020 != 0, checkingDisabled: flags & 0x0010 != 0, responseCode: UInt8(flags & 0x0F))
    }
}
