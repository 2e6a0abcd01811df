extension SMTPClient {
    /// How a conversation over a ``Connection`` is encrypted.
    public enum ConnectionSecurity: Sendable, Hashable {
        /// No TLS. For a server on loopback (the host checks ``Connection/isOnLoopback``):
        /// anywhere else the envelope and the message cross the network readable and
        /// alterable.
        case plain
        /// STARTTLS (RFC 3207): the client greets with EHLO, sends STARTTLS if the server
        /// announced it, runs the TLS handshake after the server's `220` (discarding
        /// anything sent before the handshake along with the first EHLO's answer), and
        /// greets again. When `required`, a server that does not announce STARTTLS gets
        /// nothing (``SMTPError/tlsUnavailable``); when not, it gets the message in
        /// plaintext, which a man in the middle can force by removing the announcement.
        /// Either way a refused STARTTLS (4xx or 5xx) is ``SMTPError/tlsUnavailable`` and a
        /// failed handshake ``SMTPError/tlsFailed``: nothing is sent in plaintext after
        /// either.
        case startTLS(required: Bool)
        /// TLS from the first byte (RFC 8314 section 3, usually port 465): the handshake
        /// runs before the server's greeting.
        case implicitTLS
    }
}
