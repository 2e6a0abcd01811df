/// What a MailAccess server tells its host, instead of logging: logins and how sessions
/// ended. Events never carry a login name, a password, an address or message bytes.
public enum MailAccessEvent: Sendable, Hashable {
    /// The protocol of a session.
    public enum AccessProtocol: String, Sendable, Hashable {
        /// POP3 (RFC 1939).
        case pop3
        /// IMAP (RFC 9051, RFC 3501).
        case imap
    }

    /// How a login attempt ended.
    public enum LoginResult: Sendable, Hashable {
        /// Accepted.
        case succeeded
        /// Wrong name or password.
        case refused
        /// Not tried: too many failures lately from the address or for the name.
        case rateLimited
        /// Right credentials, but the member's session limit or maildrop lock refused it.
        case sessionRefused
        /// The mailbox could not be opened.
        case mailboxUnavailable
    }

    /// How a session ended.
    public enum Ending: Sendable, Hashable {
        /// The client logged out (QUIT, LOGOUT).
        case loggedOut
        /// The client closed the connection.
        case clientClosed
        /// The idle timeout passed.
        case timedOut
        /// The client did not log in within the login timeout (POP3's
        /// ``POP3Server/Configuration/loginTimeout``, IMAP's
        /// ``IMAPServer/Configuration/loginTimeout`` when it is the shorter wait).
        case loginTimedOut
        /// The server closed it (too many bad commands, a limit, a shutdown).
        case closedByServer
        /// The TLS handshake failed.
        case tlsFailed
        /// Writing to the client failed.
        case writeFailed
        /// Refused at connection time (too many connections).
        case refused
    }

    /// A login attempt and its result; `overTLS` is whether the credentials came under TLS.
    case login(AccessProtocol, LoginResult, overTLS: Bool)
    /// A session ended. `overTLS` is whether the session was under TLS when it ended; a
    /// connection on the implicit-TLS port counts as TLS from its first byte, so one refused
    /// or failed there before its handshake finished reports `true` as well.
    case sessionEnded(AccessProtocol, Ending, overTLS: Bool, duration: Duration)
}
