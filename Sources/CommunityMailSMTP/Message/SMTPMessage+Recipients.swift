extension SMTPMessage {
    /// The same message for other recipients, sharing this one's content and encoded bytes
    /// (copy-on-write arrays, nothing copied or encoded again): a relay that sends one
    /// message in several transactions (per domain, per attempt) encodes it once.
    /// - Throws: ``SMTPError/invalidAddress`` for no recipient or one that could not sit
    ///   inside `<…>`, as ``init(sender:recipients:content:)`` does.
    public func addressed(to recipients: [String]) throws(SMTPError) -> SMTPMessage {
        guard !recipients.isEmpty else { throw SMTPError.invalidAddress.with(message: "a message needs at least one recipient") }
        guard recipients.allSatisfy(Self.isUsableInEnvelope) else {
            throw SMTPError.invalidAddress.with(message: "an address cannot be used in an SMTP envelope")
        }
        let recipientsNeedSMTPUTF8 = recipients.contains { !$0.utf8.allSatisfy { $0 < 0x80 } }
        // Whether the sender or the header block needs it, without the old recipients' part.
        let othersNeedSMTPUTF8 = needsSMTPUTF8
            && (!sender.utf8.allSatisfy { $0 < 0x80 } || !Self.headerBlock(of: content).allSatisfy { $0 < 0x80 })
        return SMTPMessage(
            sender: sender, recipients: recipients, content: content, transmittedData: transmittedData, size: size,
            needsSMTPUTF8: othersNeedSMTPUTF8 || recipientsNeedSMTPUTF8, needs8BitMIME: needs8BitMIME)
    }

    /// Every field given, already checked.
    private init(
        sender: String, recipients: [String], content: [UInt8], transmittedData: [UInt8], size: Int, needsSMTPUTF8: Bool,
        needs8BitMIME: Bool
    ) {
        self.sender = sender
        self.recipients = recipients
        self.content = content
        self.transmittedData = transmittedData
        self.size = size
        self.needsSMTPUTF8 = needsSMTPUTF8
        self.needs8BitMIME = needs8BitMIME
    }
}
