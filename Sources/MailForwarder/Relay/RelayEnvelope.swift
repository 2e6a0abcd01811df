/// One message as the forwarder hands it to the next hop: the rewritten envelope and the
/// bytes (our `Received:` line first, then the message exactly as it arrived).
public struct RelayEnvelope: Sendable, Hashable {
    /// The reverse-path to use downstream (SRS-rewritten); empty for the null sender.
    public let sender: String
    /// The final recipients, each once, in the order they were first accepted.
    public let recipients: [String]
    /// The message (RFC 5322), CRLF line ends, not dot-stuffed.
    public let content: [UInt8]
    /// Whether the envelope or header block carries UTF-8 (the client asked for SMTPUTF8).
    public let usesSMTPUTF8: Bool

    /// An envelope.
    public init(sender: String, recipients: [String], content: [UInt8], usesSMTPUTF8: Bool = false) {
        self.sender = sender
        self.recipients = recipients
        self.content = content
        self.usesSMTPUTF8 = usesSMTPUTF8
    }
}
