public import DNSVerify

/// The SMTP facts of one message that SPF checks (RFC 7208 section 2): who connected, the
/// name it gave, and the envelope sender.
public struct AuthenticationEnvelope: Sendable, Hashable {
    /// The SMTP client's IP address; nil when it is not known (SPF is then not checked).
    public var clientAddress: DNSAddress?
    /// The name the client gave in EHLO or HELO.
    public var helo: String
    /// The reverse-path without angle brackets; "" for the null sender (a bounce), whose
    /// SPF identity is `postmaster@` + ``helo``.
    public var mailFrom: String

    /// An envelope from its parts.
    public init(clientAddress: DNSAddress?, helo: String, mailFrom: String) {
        self.clientAddress = clientAddress
        self.helo = helo
        self.mailFrom = mailFrom
    }
}
