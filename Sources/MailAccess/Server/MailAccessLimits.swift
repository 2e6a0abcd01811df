/// The limits every MailAccess server (POP3, IMAP) applies to its connections and sessions.
public struct MailAccessLimits: Sendable {
    /// The most connections served at once (both ports of a server together). Default: 1,000.
    public var maximumSessions = 1_000
    /// The most connections from one client address at once, an IPv6 client counted by
    /// its /64 (``ClientAddressGroup``). Default: 20.
    public var maximumSessionsPerAddress = 20
    /// The most logged-in sessions of one member at once (all protocols sharing the
    /// ``MailAccessSessionTable``). Default: 10.
    public var maximumSessionsPerUser = 10
    /// How long a session may wait for a client's complete command. Default: 10 minutes
    /// (RFC 1939 section 3: a POP3 autologout timer of at least 10 minutes).
    public var idleTimeout: Duration = .seconds(600)
    /// The longest a write to a slow client may take. Default: 2 minutes.
    public var writeTimeout: Duration = .seconds(120)
    /// The longest a TLS handshake (STLS or implicit TLS) may take. Default: 30 s.
    public var tlsHandshakeTimeout: Duration = .seconds(30)
    /// How long sessions may take to end after the server's ``close()``-style shutdown
    /// before they are cut off. Default: 10 s.
    public var shutdownGracePeriod: Duration = .seconds(10)

    /// The defaults.
    public init() {}
}
