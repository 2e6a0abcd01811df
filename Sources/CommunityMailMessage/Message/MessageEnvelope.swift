public import Foundation

/// The header fields a mailbox indexes when a message is appended: what IMAP ENVELOPE,
/// SEARCH, SORT and THREAD need. Encoded words (RFC 2047) are decoded; unfolded.
/// Fields a message lacks, or whose value cannot be parsed, are nil or empty.
public struct MessageEnvelope: Sendable, Hashable {
    /// The `Date:` header, if it parses.
    public var date: Date?
    /// The `From:` header, decoded.
    public var from: String
    /// The `To:` header, decoded.
    public var to: String
    /// The `Cc:` header, decoded.
    public var cc: String
    /// The `Subject:` header, decoded.
    public var subject: String
    /// The `Message-ID:` header's id, without angle brackets.
    public var messageID: String?
    /// The ids in `In-Reply-To:`, without angle brackets.
    public var inReplyTo: [String]
    /// The ids in `References:`, oldest first, without angle brackets.
    public var references: [String]
    /// True when the message has a MIME part that is an attachment (Content-Disposition
    /// attachment, or a file name on the part).
    public var hasAttachment: Bool

    /// An envelope from its parts.
    public init(
        date: Date? = nil, from: String = "", to: String = "", cc: String = "", subject: String = "",
        messageID: String? = nil, inReplyTo: [String] = [], references: [String] = [], hasAttachment: Bool = false
    ) {
        self.date = date
        self.from = from
        self.to = to
        self.cc = cc
        self.subject = subject
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.hasAttachment = hasAttachment
    }

    /// The envelope of `header`: `Date:` parsed, the address fields and `Subject:` with
    /// encoded words decoded (repeated fields joined with ", "), the message ids without
    /// angle brackets. `hasAttachment` comes from a walk of the body
    /// (``MailMessage/textContent(limit:maximumDepth:)``).
    public init(header: HeaderBlock, hasAttachment: Bool) {
        func decoded(_ name: String) -> String {
            header.all(name).map { EncodedWordDecoder.decode($0) }.joined(separator: ", ")
        }
        self.init(
            date: header.first("date").flatMap(MailDateParser.parse),
            from: decoded("from"),
            to: decoded("to"),
            cc: decoded("cc"),
            subject: decoded("subject"),
            messageID: HeaderBlock.messageIDs(in: header.first("message-id")).first,
            inReplyTo: HeaderBlock.messageIDs(in: header.first("in-reply-to")),
            references: HeaderBlock.messageIDs(in: header.first("references")),
            hasAttachment: hasAttachment
        )
    }
}
