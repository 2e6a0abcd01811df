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
    /// (IMAP SEARCH HEADER), at most ``MessageParser/maxIndexedFields``.
    var headerFields: [(name: String, value: String)]
}
