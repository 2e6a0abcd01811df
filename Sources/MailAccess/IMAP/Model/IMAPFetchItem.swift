/// One item of a FETCH response.
public enum IMAPFetchItem: Sendable, Hashable {
    /// UID n.
    case uid(UInt32)
    /// FLAGS (...).
    case flags([String])
    /// INTERNALDATE "dd-Mon-yyyy hh:mm:ss +zzzz".
    case internalDate(IMAPDateTime)
    /// RFC822.SIZE n.
    case rfc822Size(UInt64)
    /// MODSEQ (n) (RFC 7162).
    case modSeq(UInt64)
    /// ENVELOPE (...).
    case envelope(IMAPEnvelope)
    /// BODY (...): the structure without extension data.
    case body(IMAPBodyStructure)
    /// BODYSTRUCTURE (...).
    case bodyStructure(IMAPBodyStructure)
    /// BODY[section]<origin> data (nil data is NIL).
    case bodySection(IMAPSection, origin: UInt64?, data: [UInt8]?)
    /// RFC822 data (IMAP4rev1).
    case rfc822([UInt8]?)
    /// RFC822.HEADER data.
    case rfc822Header([UInt8]?)
    /// RFC822.TEXT data.
    case rfc822Text([UInt8]?)
    /// BINARY[part]<origin> data, written as literal8 when it holds NUL (RFC 3516).
    case binary(part: [UInt32], origin: UInt64?, data: [UInt8]?)
    /// BINARY.SIZE[part] n.
    case binarySize(part: [UInt32], size: UInt64)
}
