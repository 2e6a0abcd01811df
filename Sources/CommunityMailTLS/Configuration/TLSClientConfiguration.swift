public import CommunityMailSystem

/// How a TLS client authenticates the server it connects to.
///
/// There is no switch to turn verification off: a test trusts its own throwaway
/// certificate authority through ``trustedCertificateAuthorityFile`` instead.
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
