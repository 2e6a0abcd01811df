extension SMTPClient {
    /// How the client authenticates the server when a ``ConnectionSecurity`` uses TLS.
    ///
    /// By default the chain must verify to a trusted authority and the certificate must
    /// name the server; a test trusts its own throwaway authority through
    /// ``trustedCertificateAuthorityFile``. Only opportunistic STARTTLS between MTAs turns
    /// ``verifiesCertificate`` off.
    public struct TLSOptions: Sendable, Hashable {
        /// The oldest TLS version the client accepts.
        public enum Version: Sendable, Hashable {
            /// TLS 1.2 (RFC 5246).
            case tls12
            /// TLS 1.3 (RFC 8446).
            case tls13
        }

        /// The DNS name or IP address the server's certificate must carry. A name is also
        /// sent as SNI; an IP address is checked against the certificate's IP addresses.
        /// Default: nil, the host given to ``SMTPClient/connect(to:port:)``. An empty name is
        /// refused (``SMTPError/insecureConfiguration``): it would check no name at all.
        public var serverName: String?
        /// A PEM file of certificate authorities to trust instead of the system's (a private
        /// relay's authority). Default: nil, the system's trust store.
        public var trustedCertificateAuthorityFile: String?
        /// The oldest TLS version accepted. Default: ``Version/tls12`` (RFC 8996 retired the
        /// older ones, which are never offered).
        public var minimumVersion: Version = .tls12
        /// Whether the server's certificate is checked (chain and ``serverName``). Default:
        /// true. False encrypts without authenticating, any certificate accepted (RFC 7435
        /// opportunistic security, Postfix's `smtp_tls_security_level = may`): for
        /// STARTTLS to an MX with no TLS policy, where the alternative is plaintext. It
        /// stops passive eavesdropping, not an attacker in the path.
        public var verifiesCertificate = true

        /// Options that check `serverName` (nil: the connected host's name) against a chain
        /// verified by the authorities in `trustedCertificateAuthorityFile` (nil: the
        /// system's), with TLS 1.2 or newer.
        public init(serverName: String? = nil, trustedCertificateAuthorityFile: String? = nil) {
            self.serverName = serverName
            self.trustedCertificateAuthorityFile = trustedCertificateAuthorityFile
        }
    }
}
