public import CommunityMailMessage

extension IMAPEnvelope {
    /// The envelope of a message's header block (RFC 9051 section 7.5.2): fields unfolded,
    /// encoded words kept, Sender and Reply-To set to From when absent or empty.
    public init(header: HeaderBlock) {
        func field(_ name: String) -> String? { header.first(name) }
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
