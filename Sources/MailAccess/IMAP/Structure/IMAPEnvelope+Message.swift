public import CommunityMailMessage

extension IMAPEnvelope {
    /// The envelope of a message's header block (RFC 9051 section 7.5.2): fields unfolded,
    /// encoded words kept, Sender and Reply-To set to From when absent or empty.
    ///
    /// A value is the field's raw value with the whitespace after the colon skipped and CR
    /// and LF removed, so folding whitespace stays as sent (Dovecot does the same).
    public init(header: HeaderBlock) {
        func field(_ name: String) -> String? {
            let lowercased = name.lowercased()
            guard let field = header.fields.first(where: { $0.lowercasedName == lowercased }) else { return nil }
            let raw = field.rawValue.drop { $0 == 0x20 || $0 == 0x09 }.filter { $0 != 0x0d && $0 != 0x0a }
            return String(validating: raw, as: UTF8.self) ?? String(raw.map { Character(Unicode.Scalar($0)) })
        }
        let from = IMAPAddressParser.addresses(field("from"))
        self.init(
            date: field("date"),
            subject: field("subject"),
            from: from,
            sender: IMAPAddressParser.addresses(field("sender")) ?? from,
            replyTo: IMAPAddressParser.addresses(field("reply-to")) ?? from,
            to: IMAPAddressParser.addresses(field("to")),
            cc: IMAPAddressParser.addresses(field("cc")),
            bcc: IMAPAddressParser.addresses(field("bcc")),
            inReplyTo: field("in-reply-to"),
            messageID: field("message-id")
        )
    }

    /// The envelope of `message`.
    public init(message: MailMessage) { self.init(header: message.header) }
}
