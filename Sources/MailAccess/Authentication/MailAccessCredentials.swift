/// A login name and password as a client gave them (POP3 USER/PASS or AUTH PLAIN, IMAP
/// LOGIN or AUTHENTICATE PLAIN). The password is the member's mailbox passphrase.
///
/// Its description never shows either: the type may end up in a log by accident.
public struct MailAccessCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The name the client logged in with.
    public var login: String
    /// The password (the mailbox passphrase).
    public var password: String

    /// Credentials from their parts.
    public init(login: String, password: String) {
        self.login = login
        self.password = password
    }

    /// A placeholder: neither the name nor the password.
    public var description: String { "MailAccessCredentials(redacted)" }
    /// A placeholder: neither the name nor the password.
    public var debugDescription: String { description }
}
