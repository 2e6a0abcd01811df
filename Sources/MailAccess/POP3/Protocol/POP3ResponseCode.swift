/// The extended response codes a POP3 server puts in brackets after `-ERR` (RFC 2449
/// section 8, RFC 3206), so a client can tell a wrong password from a busy server.
public enum POP3ResponseCode: String, Sendable, Hashable {
    /// RFC 3206: the credentials were refused (wrong password, unknown user, or a login
    /// not allowed yet, such as USER before STLS when plaintext is refused).
    case authentication = "AUTH"
    /// RFC 3206: a temporary server-side problem (too many failed logins, a mailbox that
    /// cannot be opened now); trying later may work.
    case temporarySystemError = "SYS/TEMP"
    /// RFC 3206: a permanent server-side problem (a damaged mailbox).
    case permanentSystemError = "SYS/PERM"
    /// RFC 2449: the maildrop is already locked by another POP3 session.
    case inUse = "IN-USE"
    /// RFC 2449: the user logged in too recently (LOGIN-DELAY); not sent by this server,
    /// which does not enforce a login delay.
    case loginDelay = "LOGIN-DELAY"
}
