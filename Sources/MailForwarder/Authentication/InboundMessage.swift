public import CommunityMailSystem

/// What an ``InboundAuthenticator`` is given: the message as its client sent it, with the
/// facts of the session that SPF needs.
public struct InboundMessage: Sendable, Hashable {
    /// The client's IP address; nil for a session on something other than a socket (an
    /// in-memory stream in tests).
    public var clientAddress: InternetAddress?
    /// The name the client gave in EHLO or HELO (SPF's HELO identity).
    public var heloName: String
    /// The envelope sender as the client gave it (MAIL FROM), "" for the null sender.
    public var sender: String
    /// The message's bytes as received (header and body, CRLF line ends, dots unstuffed),
    /// before the forwarder adds anything.
    public var content: [UInt8]

    /// A message from its parts.
    public init(clientAddress: InternetAddress?, heloName: String, sender: String, content: [UInt8]) {
        self.clientAddress = clientAddress
        self.heloName = heloName
        self.sender = sender
        self.content = content
    }
}
