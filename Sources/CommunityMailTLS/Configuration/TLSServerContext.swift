internal import CommunityMailCOpenSSL
public import CommunityMailSystem

/// A TLS server's certificate chain and private key, loaded once from PEM files (on the
/// blocking executor: `try await TLSServerContext(certificateChainFile:privateKeyFile:)`)
/// and shared by every connection it accepts (one OpenSSL `SSL_CTX`).
///
/// Offers TLS 1.2 and 1.3 (or 1.3 only) with OpenSSL's default cipher suites, refuses
/// renegotiation, and never compresses. A server with several names gives a context per
/// name in `contextsByServerName`; the one matching the client's SNI serves the
/// connection, and this context serves clients that send no name or an unknown one.
public final class TLSServerContext: Sendable {
    /// Protocol choices for the server.
    public struct Configuration: Sendable {
        /// The oldest protocol version accepted. Default: `.tls12` (clients that offer
        /// only TLS 1.1 or older are refused in the handshake).
        public var minimumVersion: TLSProtocolVersion = .tls12

        /// The defaults above.
        public init() {}
    }

    /// The `SSL_CTX`, freed with this object.
    let handle: OpenSSLContextHandle
    /// Contexts to switch to by SNI name (lowercased, without a trailing dot).
    private let contextsByServerName: [String: TLSServerContext]

    /// Loads the certificate chain (the server's certificate first, then the
    /// intermediates) and the matching private key, both PEM.
    ///
    /// Reading the files blocks, so it runs on `executor`, never on the calling task's
    /// thread: a server may load (or reload) its certificates while it serves.
    /// - Parameters:
    ///   - contextsByServerName: other certificates to serve when the client asks for one
    ///     of these names in SNI (names compare case-insensitively).
    ///   - executor: where the files are read. Default: `BlockingExecutor.shared`.
    /// - Throws: `NetworkError.tlsFailure` when a file cannot be read or parsed, or the
    ///   key does not belong to the certificate (with OpenSSL's reason; never key bytes).
    public init(
        certificateChainFile: String, privateKeyFile: String,
        configuration: Configuration = Configuration(),
        contextsByServerName: [String: TLSServerContext] = [:],
        executor: BlockingExecutor = .shared
    ) async throws(NetworkError) {
        let minimumVersion = configuration.minimumVersion
        self.handle = try await executor.run { () throws(NetworkError) -> OpenSSLContextHandle in
            try TLSServerContext.loadContext(certificateChainFile: certificateChainFile, privateKeyFile: privateKeyFile, minimumVersion: minimumVersion)
        }
        var byName: [String: TLSServerContext] = [:]
        for (name, serving) in contextsByServerName {
            byName[Self.normalizedServerName(name)] = serving
        }
        self.contextsByServerName = byName
        if !byName.isEmpty { installServerNameCallback() }
    }

    /// A server `SSL_CTX` with the chain and key from their files (blocking file reads;
    /// OpenSSL's error queue is read on the same thread).
    private static func loadContext(
        certificateChainFile: String, privateKeyFile: String, minimumVersion: TLSProtocolVersion
    ) throws(NetworkError) -> OpenSSLContextHandle {
        OpenSSLErrorQueue.clear()
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw .tlsFailure("cannot create a TLS server context: \(OpenSSLErrorQueue.reason())")
        }
        let handle = OpenSSLContextHandle(context)
        try handle.applyCommonSettings(minimumVersion: minimumVersion)
        guard SSL_CTX_use_certificate_chain_file(context, certificateChainFile) == 1 else {
            throw .tlsFailure("cannot load the certificate chain \(certificateChainFile): \(OpenSSLErrorQueue.reason())")
        }
        guard SSL_CTX_use_PrivateKey_file(context, privateKeyFile, SSL_FILETYPE_PEM) == 1 else {
            throw .tlsFailure("cannot load the private key \(privateKeyFile): \(OpenSSLErrorQueue.reason())")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw .tlsFailure("the private key \(privateKeyFile) does not match the certificate: \(OpenSSLErrorQueue.reason())")
        }
        return handle
    }

    /// The context serving `name` (an SNI host name), or nil to keep this one.
    func context(forServerName name: String) -> TLSServerContext? {
        contextsByServerName[Self.normalizedServerName(name)]
    }

    /// Lowercased ASCII, without one trailing dot: how DNS names compare.
    static func normalizedServerName(_ name: String) -> String {
        let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
        return String(decoding: trimmed.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
