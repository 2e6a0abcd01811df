/// A FETCH data item the client asks for (RFC 9051 section 6.4.5, RFC 3516 BINARY,
/// RFC 7162 MODSEQ). The macros ALL, FAST and FULL arrive expanded.
public enum IMAPFetchAttribute: Sendable, Hashable {
    /// ENVELOPE.
    case envelope
    /// FLAGS.
    case flags
    /// INTERNALDATE.
    case internalDate
    /// RFC822 (IMAP4rev1): the whole message, sets \Seen.
    case rfc822
    /// RFC822.HEADER (IMAP4rev1).
    case rfc822Header
    /// RFC822.SIZE.
    case rfc822Size
    /// RFC822.TEXT (IMAP4rev1): sets \Seen.
    case rfc822Text
    /// BODY: the body structure without extension data.
    case body
    /// BODYSTRUCTURE.
    case bodyStructure
    /// UID.
    case uid
    /// MODSEQ (RFC 7162).
    case modSeq
    /// BODY[section]<partial> or BODY.PEEK[section]<partial>.
    case bodySection(IMAPSection, partial: IMAPPartial?, peek: Bool)
    /// BINARY[part]<partial> or BINARY.PEEK (RFC 3516).
    case binary(part: [UInt32], partial: IMAPPartial?, peek: Bool)
    /// BINARY.SIZE[part] (RFC 3516).
    case binarySize(part: [UInt32])
}

/// A body section (`1.2.HEADER.FIELDS (From To)`): a part path and what of it.
public struct IMAPSection: Sendable, Hashable {
    /// What of the part.
    public enum Text: Sendable, Hashable {
        /// HEADER.
        case header
        /// HEADER.FIELDS (names), names as sent.
        case headerFields([String])
        /// HEADER.FIELDS.NOT (names).
        case headerFieldsNot([String])
        /// TEXT.
        case text
        /// MIME: the part's own MIME header.
        case mime
    }

    /// The part numbers (`1.2` is [1, 2]); empty for the whole message.
    public var part: [UInt32]
    /// What of the part; nil for all of it.
    public var text: Text?

    /// A section from its parts.
    public init(part: [UInt32] = [], text: Text? = nil) {
        self.part = part
        self.text = text
    }
}

/// `<offset.length>` of a partial fetch.
public struct IMAPPartial: Sendable, Hashable {
    /// The first octet.
    public var offset: UInt64
    /// How many octets at most.
    public var length: UInt64

    /// A partial from its parts.
    public init(offset: UInt64, length: UInt64) {
        self.offset = offset
        self.length = length
    }
}

/// FETCH modifiers (RFC 7162): `(CHANGEDSINCE modseq [VANISHED])`.
public struct IMAPFetchModifiers: Sendable, Hashable {
    /// CHANGEDSINCE, when given.
    public var changedSince: UInt64?
    /// VANISHED (UID FETCH only, with CHANGEDSINCE).
    public var vanished: Bool

    /// Modifiers as given; none by default.
    public init(changedSince: UInt64? = nil, vanished: Bool = false) {
        self.changedSince = changedSince
        self.vanished = vanished
    }
}
