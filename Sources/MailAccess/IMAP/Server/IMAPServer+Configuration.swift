import CommunityMailSystem

extension IMAPServer {
    /// How an IMAP server runs.
    public struct Configuration: Sendable {
        /// The name in the greeting. Default: `localhost`.
        public var serverName: String
        /// The certificate for STARTTLS and the implicit-TLS port; nil for none (then no
        /// STARTTLS, and no implicit-TLS port may be given). Default: nil.
        public var tls: MailAccessTLSFiles?
        /// Whether passwords may be sent before TLS (when refused, LOGINDISABLED is
        /// announced). Default: ``PlaintextAuthenticationPolicy/refused``.
        public var plaintextAuthentication = PlaintextAuthenticationPolicy.refused
        /// Connection, session and time limits. Default: ``MailAccessLimits``'s defaults
        /// except ``MailAccessLimits/idleTimeout``, 30 minutes: RFC 9051 section 5.4's least
        /// autologout time, which also ends an IDLE the client did not renew (RFC 2177 asks
        /// clients to re-issue IDLE within 29 minutes).
        public var limits: MailAccessLimits = {
            var limits = MailAccessLimits()
            limits.idleTimeout = .seconds(30 * 60)
            return limits
        }()
        /// How long after connecting a client may stay unauthenticated, however many commands
        /// it sends (as Dovecot's login process): connections that never log in must not hold
        /// slots for the 30 minutes RFC 9051 section 5.4 asks for after authentication; it then
        /// gets `* BYE Autologout; not logged in in time` and is closed (a server policy, not
        /// RFC 9051's inactivity autologout). ``MailAccessLimits/idleTimeout`` applies before login
        /// too. Default: 3 minutes.
        public var loginTimeout: Duration = .seconds(180)
        /// The command parser's limits: line length, literal sizes (APPENDLIMIT is
        /// `maximumAppendSize`), nesting, LITERAL+ or LITERAL-. Default: the parser's defaults.
        /// Before login tighter ones apply (8,192-octet lines and literals, 16,384-octet
        /// commands, no APPEND), so an unknown client cannot make the server hold much.
        public var parser = IMAPCommandParser.Configuration()
        /// The authenticated and selected states' settings (its `maximumAppendSize` is set
        /// from ``parser``'s). Default: ``IMAPSession/Configuration``'s defaults.
        public var session = IMAPSession.Configuration()
        /// Invalid commands (tagged `BAD`) in a row after which the session is closed with
        /// `* BYE`. Default: 20.
        public var maximumBadCommands = 20
        /// How often an IDLE with nothing to report sends `* OK Still here`, so firewalls and
        /// NAT keep the quiet connection; nil for never. Default: 2 minutes.
        public var idleKeepaliveInterval: Duration? = .seconds(120)
        /// The `name` of the ID response (RFC 2971); nil answers `* ID NIL`. Default: nil.
        public var implementation: String?
        /// Failed-login limits (share one limiter with the POP3 server). Default: a limiter
        /// of its own with ``LoginRateLimiter/Configuration``'s defaults.
        public var loginRateLimiter = LoginRateLimiter()
        /// Connection and session counts (share one table with the POP3 server, so a
        /// member's session limit counts both). Default: a table of its own.
        public var sessions = MailAccessSessionTable()
        /// Where the server reports logins and session endings; nil for nowhere. Called on
        /// the session's task: keep it quick. Default: nil.
        public var events: (@Sendable (MailAccessEvent) -> Void)?

        /// The defaults, with `serverName` in the greeting.
        public init(serverName: String = "localhost") { self.serverName = serverName }
    }
}
