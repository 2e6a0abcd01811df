/// The settings the POP3 and IMAP servers have in common, so that a host running both
/// sets them once (the same rate limiter and session table make the per-member and
/// per-address limits count across both protocols).
///
/// ```swift
/// func applyShared(to configuration: inout some MailAccessServerConfiguration) {
///     configuration.tls = tls
///     configuration.loginRateLimiter = limiter
///     configuration.sessions = sessions
/// }
/// ```
public protocol MailAccessServerConfiguration: Sendable {
    /// The name in the greeting and in `Received`-like texts.
    var serverName: String { get set }
    /// The certificate and key for STARTTLS/STLS and the implicit-TLS port; nil offers no TLS.
    var tls: MailAccessTLSFiles? { get set }
    /// Whether a password may be sent before TLS.
    var plaintextAuthentication: PlaintextAuthenticationPolicy { get set }
    /// Sessions, timeouts and the shutdown grace period.
    var limits: MailAccessLimits { get set }
    /// Failed logins per client address and per member; share one between the servers.
    var loginRateLimiter: LoginRateLimiter { get set }
    /// Sessions per member and per client address; share one between the servers.
    var sessions: MailAccessSessionTable { get set }
    /// Where the server reports what happens (never a name, address or password).
    var events: (@Sendable (MailAccessEvent) -> Void)? { get set }
}

extension IMAPServer.Configuration: MailAccessServerConfiguration {}
extension POP3Server.Configuration: MailAccessServerConfiguration {}
