public import CommunityMailSystem

/// How a TLS client authenticates the server it connects to.
///
/// Verification is on by default, and a test trusts its own throwaway certificate
/// authority through ``trustedCertificateAuthorityFile`` rather than turning it off. Only
/// opportunistic encryption (RFC 7435: SMTP between MTAs with no policy for the peer)
/// sets ``verifiesCertificate`` to false.
public struct TLSClientConfiguration: Sendable {
    /// The server's DNS name or IP address literal. A name is sent as SNI (RFC 6066) and
    /// must match one of the certificate's DNS names (a wildcard covers one whole label:
    /// `*.example.org` names `mx.example.org`, `m*.example.org` names nothing); an IP
    /// address is not sent (RFC 6066 reserves SNI for names) and must match one of the
    /// certificate's IP addresses. One trailing dot is ignored. Must not be empty.
    public var serverName: String

    /// The oldest protocol version accepted. Default: `.tls12`; `.tls13` refuses servers
    /// that cannot speak TLS 1.3.
    public var minimumVersion: TLSProtocolVersion = .tls12

    /// Whether the server's chain and name are checked. Default: true. False encrypts
    /// without authenticating (RFC 7435's opportunistic security, Postfix's
    /// `smtp_tls_security_level = may`): any certificate is accepted, expired, self-signed or
    /// for another name, so the session resists passive eavesdropping but not an active
    /// attacker in the path. ``serverName`` is still sent as SNI when it is a DNS name.
    public var verifiesCertificate = true

    /// A PEM file of certificate authorities to trust instead of the system's trust store
    /// (for a private relay, or a test's own authority). Default: nil, the system store.
    /// The file is read once and read again when its size or modification time changes.
    public var trustedCertificateAuthorityFile: String?

    /// Where certificate authorities are read from the disk (the CA file, checked at each
    /// connection, or the system store, the first time): the reads block, so they never
    /// run on the connecting task's thread. Default: `BlockingExecutor.shared`.
    public var executor: BlockingExecutor = .shared

    /// A configuration for `serverName` with the defaults above.
    public init(serverName: String) {
        self.serverName = serverName
    }
}
