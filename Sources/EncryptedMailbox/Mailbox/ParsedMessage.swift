import CommunityMailMessage

/// A message as indexed at append: its envelope, where its header ends, and the text of
/// its readable parts for full-text search. Parsing never fails; what cannot be read is
/// left out of the index, and the message itself is always stored whole.
struct ParsedMessage: Sendable {
    /// The indexed header fields.
    var envelope: MessageEnvelope
    /// Bytes of the header block, blank line included.
    var headerLength: Int
    /// Decoded text of the text/plain and text/html parts (tags removed), capped.
    var bodyText: String
    /// Every top-level header field, name lowercased, value decoded and folded for search
    /// (IMAP SEARCH HEADER), at most ``maxIndexedFields``.
    var headerFields: [(name: String, value: String)]

    /// Most characters of body text indexed per message.
    static let maxIndexedText = 1 << 20
    /// Deepest MIME nesting followed; deeper parts are not indexed.
    static let maxDepth = 24
    /// Most header fields indexed per message.
    static let maxIndexedFields = 200

    /// `message` parsed for the index.
    init(indexing message: [UInt8]) {
        let parsed = MailMessage(message)
        let content = parsed.textContent(limit: Self.maxIndexedText, maximumDepth: Self.maxDepth)
        envelope = MessageEnvelope(header: parsed.header, hasAttachment: content.hasAttachment)
        headerLength = parsed.rawHeader.count
        bodyText = content.text
        headerFields = parsed.header.fields.prefix(Self.maxIndexedFields).map {
            ($0.lowercasedName, SearchQuery.fold($0.decodedValue))
        }
    }
}
