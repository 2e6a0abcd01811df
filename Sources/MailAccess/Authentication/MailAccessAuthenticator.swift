/// Decides who may log in to MailAccess (POP3 and IMAP) and opens their mailbox.
///
/// The member's password is their mailbox passphrase: the server holds no key at rest,
/// and a login succeeds exactly when the password opens the member's mailbox (and the
/// authenticator allows the name). ``MailboxStoreAuthenticator`` does that over a
/// `MailboxStoring`; ``InMemoryMailAccessAuthenticator`` is the fake with a password table.
///
/// Rate limiting is the server's (``LoginRateLimiter``): an authenticator is asked only
/// when the limiter allows the attempt.
public protocol MailAccessAuthenticator: Sendable {
    /// Checks `credentials` and, when they are accepted, gives the session its lease on
    /// the member's open mailbox (release it when the session ends).
    func authenticate(_ credentials: MailAccessCredentials) async -> MailAccessAuthentication
}

/// What ``MailAccessAuthenticator/authenticate(_:)`` decided.
public enum MailAccessAuthentication: Sendable {
    /// Accepted: the session's lease on the member's mailbox.
    case accepted(MailboxLease)
    /// Unknown name, a name not allowed to log in, or a wrong password (one answer for
    /// all, so a client cannot tell which).
    case refused
    /// The credentials may be right but the mailbox cannot be opened: `temporary` when
    /// trying later may work (locked by another process, storage busy).
    case unavailable(temporary: Bool)
}
