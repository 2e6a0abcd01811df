extension MailMessage {
    /// What a walk of a message's MIME structure finds: its readable text and whether it
    /// has attachments.
    public struct TextContent: Sendable, Hashable {
        /// The decoded text of the text/plain and text/html parts (HTML tags, scripts and
        /// styles removed), parts joined with a line break. Gathering stops once `limit`
        /// UTF-8 bytes are reached; the part that crosses it adds at most `limit` characters.
        public var text: String
        /// True when a part is an attachment (Content-Disposition attachment, or a file
        /// name on the part).
        public var hasAttachment: Bool
    }

    /// The message's readable text and whether it has attachments: multipart bodies are
    /// followed to `maximumDepth` levels (deeper parts are skipped), message/rfc822 parts
    /// are read, transfer encodings and charsets decoded. Never fails: what cannot be read
    /// is left out.
    /// - Parameters:
    ///   - limit: how much text to gather (see ``TextContent/text``). Default: 1 Mi.
    ///   - maximumDepth: deepest MIME nesting followed. Default: 24.
    public func textContent(limit: Int = 1 << 20, maximumDepth: Int = 24) -> TextContent {
        var walker = MIMEWalker(limit: limit, maximumDepth: maximumDepth)
        walker.walk(bytes[...], header: header, depth: 0)
        return TextContent(text: walker.text, hasAttachment: walker.hasAttachment)
    }
}
