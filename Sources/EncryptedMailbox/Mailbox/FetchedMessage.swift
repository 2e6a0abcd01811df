public import CommunityMailMessage
public import Foundation

/// How much of a message a fetch returns.
public enum FetchContent: Sendable, Hashable {
    /// Metadata only: UID, flags, keywords, dates, MODSEQ, size, envelope.
    case metadata
    /// Metadata and the header block (up to and including the blank line), byte-exact.
    case header
    /// Metadata and the body: everything after the header's blank line (BODY[TEXT]).
    case text
    /// Metadata and the whole message, byte-exact (RFC822 / BODY[]).
    case whole
}

/// One message as a fetch returns it.
public struct FetchedMessage: Sendable, Hashable {
    /// The UID in its folder.
    public var uid: UInt32
    /// System flags.
    public var flags: MessageFlags
    /// Keywords (user flags), sorted.
    public var keywords: [String]
    /// The internal date: when the message arrived (seconds precision).
    public var internalDate: Date
    /// MODSEQ of the message's last change (RFC 7162).
    public var modSeq: UInt64
    /// RFC822.SIZE: the message's size in RFC 5322 form (``MessageSize``: a stored bare LF
    /// counts as CRLF), the length of BODY[] as an IMAP server sends it.
    public var size: Int
    /// The indexed header fields.
    public var envelope: MessageEnvelope
    /// The bytes asked for: nil for `.metadata`, the header for `.header`, the body for
    /// `.text`, all for `.whole`.
    public var content: [UInt8]?

    /// A fetched message from its parts.
    public init(
        uid: UInt32, flags: MessageFlags, keywords: [String], internalDate: Date, modSeq: UInt64, size: Int,
        envelope: MessageEnvelope, content: [UInt8]?
    ) {
        self.uid = uid
        self.flags = flags
        self.keywords = keywords
        self.internalDate = internalDate
        self.modSeq = modSeq
        self.size = size
        self.envelope = envelope
        self.content = content
    }
}
