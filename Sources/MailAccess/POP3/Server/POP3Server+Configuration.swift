import CommunityMailSystem

extension POP3Server {
    /// How a POP3 server runs.
    public struct Configuration: Sendable {
        /// The name in the greeting. Default: `localhost`.
        public var serverName: String
        /// The certificate for STLS and the implicit-TLS port; nil for none (then no STLS,
        /// and no implicit-TLS port may be given). Default: nil.
        public var tls: MailAccessTLSFiles?
        /// Whether passwords may be sent before TLS. Default: ``PlaintextAuthenticationPolicy/refused``.
        public var plaintextAuthentication = PlaintextAuthenticationPolicy.refused
        /// Connection, session and time limits.
        public var limits = MailAccessLimits()
        /// The longest command line, CRLF included. Default: 1,024.
        public var maximumLineLength = 1_024
        /// Unknown or malformed commands before the session is closed. Default: 20.
        public var maximumBadCommands = 20
        /// CAPA's IMPLEMENTATION line, nil for none. Default: nil.
        public var implementation: String?
        /// Failed-login limits (share one limiter with the IMAP server). Default: a limiter
        /// of its own with ``LoginRateLimiter/Configuration``'s defaults.
        public var loginRateLimiter = LoginRateLimiter()
        /// Connection and session counts and the maildrop lock (share one table with the
        /// IMAP server). Default: a table of its own.
        public var sessions = MailAccessSessionTable()
        /// The folder that is the POP3 maildrop. Default: `INBOX`.
        public var maildropFolder = "INBOX"
        /// How long a client may stay in the AUTHORIZATION state, from its connection on:
        /// one that has not logged in by then is closed without any reply, reported as
        /// ``MailAccessEvent/Ending/loginTimedOut``. A server policy (as Dovecot's login
        /// process has), not RFC 1939 section 3's autologout timer, which is an inactivity
        /// timer of at least 10 minutes (``MailAccessLimits/idleTimeout``); like that timer's
        /// expiry, it closes the connection without a response, so nothing unsolicited can
        /// be read as the answer to a command in flight. A connection that never logs in must not
        /// hold a slot for the idle timeout after each command. The shorter of this and
        /// ``MailAccessLimits/idleTimeout`` bounds each wait before login. Default: 3 minutes,
        /// as IMAP's ``IMAPServer/Configuration/loginTimeout``.
        public var loginTimeout: Duration = .seconds(180)
        /// Where the server reports logins and session endings; nil for nowhere. Called
        /// on the session's task: keep it quick. Default: nil.
        public var events: (@Sendable (MailAccessEvent) -> Void)?

        /// The defaults, with `serverName` in the greeting.
        public init(serverName: String = "localhost") { self.serverName = serverName }
    }
}
