/// The certificate and key a MailAccess server offers over TLS (STLS, STARTTLS, and the
/// implicit-TLS ports), as PEM files.
public struct MailAccessTLSFiles: Sendable, Hashable {
    /// The certificate chain (leaf first), PEM.
    public var certificateChainFile: String
    /// The private key, PEM.
    public var privateKeyFile: String

    /// The two files.
    public init(certificateChainFile: String, privateKeyFile: String) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
    }
}
