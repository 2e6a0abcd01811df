public import CommunityMailSystem

/// Whether a password may be sent before TLS (RFC 2595 section 2.2: a server should refuse
/// it; IMAP then advertises LOGINDISABLED, POP3 leaves USER and SASL PLAIN out of CAPA).
public enum PlaintextAuthenticationPolicy: Sendable, Hashable {
    /// Never before TLS (the default).
    case refused
    /// Before TLS only from loopback clients (a local webmail, a test, an SSH tunnel).
    case allowedOnLoopback
    /// Always (only for a trusted network: passwords then cross it in clear).
    case allowed

    /// Whether a client at `client` may authenticate without TLS.
    public func allows(_ client: InternetAddress?) -> Bool {
        switch self {
        case .refused: return false
        case .allowed: return true
        case .allowedOnLoopback: return client?.isLoopback ?? false
        }
    }
}
