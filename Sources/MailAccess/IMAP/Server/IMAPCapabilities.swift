/// The capabilities an IMAP server announces (RFC 9051 section 6.1.1), worked out from its
/// configuration and the connection's state, with no I/O: what the greeting, CAPABILITY and
/// the OK after a login list.
///
/// Before TLS on a port that offers it: `STARTTLS`, and `LOGINDISABLED` with no `AUTH=`
/// mechanism unless plaintext passwords are allowed for the client (RFC 9051 section 6.2.3,
/// RFC 2595 section 3.2). Once authentication is possible: `AUTH=PLAIN` and `SASL-IR` (RFC
/// 4959). After login the authentication capabilities are left out (RFC 9051 section 7.2.2
/// lets a server list fewer there).
public struct IMAPCapabilities: Sendable, Hashable {
    /// Whether the port offers STARTTLS (a certificate is configured).
    public var offersSTARTTLS: Bool
    /// Whether TLS is on (after STARTTLS, or an implicit-TLS port).
    public var isTLSActive: Bool
    /// Whether passwords may be sent without TLS from this client.
    public var allowsPlaintextAuthentication: Bool
    /// Whether the client has logged in.
    public var isAuthenticated: Bool
    /// Which non-synchronising literals the parser takes (LITERAL+ or LITERAL-).
    public var nonSynchronizingLiterals: IMAPCommandParser.NonSynchronizingLiterals
    /// The largest message APPEND takes (APPENDLIMIT, RFC 7889).
    public var appendLimit: Int

    /// The capabilities of a connection in the given state.
    public init(
        offersSTARTTLS: Bool, isTLSActive: Bool, allowsPlaintextAuthentication: Bool, isAuthenticated: Bool,
        nonSynchronizingLiterals: IMAPCommandParser.NonSynchronizingLiterals, appendLimit: Int
    ) {
        self.offersSTARTTLS = offersSTARTTLS
        self.isTLSActive = isTLSActive
        self.allowsPlaintextAuthentication = allowsPlaintextAuthentication
        self.isAuthenticated = isAuthenticated
        self.nonSynchronizingLiterals = nonSynchronizingLiterals
        self.appendLimit = appendLimit
    }

    /// Whether a password may be sent now (TLS is on, or the policy allows plaintext).
    public var mayAuthenticate: Bool { isTLSActive || allowsPlaintextAuthentication }

    /// The extensions the authenticated and selected states implement, in the order listed.
    /// The session (``IMAPSession``) carries them out; the connection carries out ID, IDLE,
    /// SASL-IR and the literal forms.
    public static let sessionExtensions = [
        "ENABLE", "IDLE", "NAMESPACE", "CHILDREN", "SPECIAL-USE", "UIDPLUS", "UNSELECT", "CONDSTORE", "QRESYNC", "UTF8=ACCEPT",
        "QUOTA", "QUOTA=RES-STORAGE", "MOVE", "ESEARCH", "SEARCHRES", "LIST-EXTENDED", "LIST-STATUS", "STATUS=SIZE", "BINARY",
        "MULTIAPPEND",
    ]

    /// The capability names, `IMAP4rev1` and `IMAP4rev2` first.
    public var names: [String] {
        var names = ["IMAP4rev1", "IMAP4rev2"]
        if !isAuthenticated {
            if offersSTARTTLS && !isTLSActive { names.append("STARTTLS") }
            if mayAuthenticate {
                names += ["AUTH=PLAIN", "SASL-IR"]
            } else {
                names.append("LOGINDISABLED")
            }
        }
        switch nonSynchronizingLiterals {
        case .literalPlus: names.append("LITERAL+")
        case .literalMinus: names.append("LITERAL-")
        case .none: break
        }
        names.append("ID")
        names += Self.sessionExtensions
        names.append("APPENDLIMIT=\(appendLimit)")
        return names
    }
}
