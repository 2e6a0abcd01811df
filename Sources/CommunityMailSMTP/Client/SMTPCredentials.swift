import Foundation

/// A user name and password for AUTH PLAIN (RFC 4954, RFC 4616). The password never
/// appears in a description, an error or a log.
public struct SMTPCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The authentication identity.
    public var username: String
    /// The password.
    public var password: String

    /// Credentials for `username`.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The PLAIN initial response: base64 of NUL, user name, NUL, password (RFC 4616
    /// section 2, no authorization identity).
    var plainInitialResponse: String {
        Data([0] + Array(username.utf8) + [0] + Array(password.utf8)).base64EncodedString()
    }

    /// Redacted: the user name is often a mail address.
    public var description: String { "SMTPCredentials(redacted)" }
}
