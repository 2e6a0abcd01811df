import CommunityMailCOpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TLS client session over a connected, blocking socket, using the system's libssl.
///
/// Used for SMTP's STARTTLS: the caller speaks plaintext on the socket first, then hands
/// it to a session, which performs the handshake and from then on encrypts everything.
/// The session does not own the socket; closing it stays the caller's job.
/// Not thread-safe: one reader-writer at a time.
public final class TLSClientSession {
    /// How the server is authenticated.
    public struct Configuration: Sendable {
        /// A PEM file of certificate authorities to trust instead of the system's store
        /// (for a private relay or a test CA). Default: nil, the system store.
        public var trustedCertificateAuthorityFile: String?
        /// Verify the certificate chain and the host name. Default: true. Turning it off
        /// removes all protection against an active attacker; only for loopback tests.
        public var verifiesPeer: Bool = true
        /// The defaults above.
        public init() {}
    }

    private let context: OpaquePointer
    private let ssl: OpaquePointer

    /// Performs the TLS handshake on `socket` for `serverName`, a DNS name (checked against
    /// the certificate's DNS names, and sent as SNI) or an IP address (checked against its IP
    /// addresses; no SNI, which RFC 6066 reserves for names).
    /// - Throws: `CryptoError.tlsHandshake` with libssl's reason (for example a
    ///   certificate that does not verify), or for an empty `serverName` while the peer is
    ///   verified: libssl takes an empty name as "check no name".
    public init(socket: Int32, serverName: String, configuration: Configuration = Configuration()) throws {
        let isIPAddress = Self.isIPAddress(serverName)
        if configuration.verifiesPeer && serverName.isEmpty {
            throw CryptoError.tlsHandshake.with(message: "no server name to check the certificate against")
        }
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw CryptoError.libcrypto("SSL_CTX_new") }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw CryptoError.libcrypto("SSL_new")
        }
        self.context = context
        self.ssl = ssl
        // TLS 1.2 is the oldest version still considered safe (RFC 8996 retired 1.0 and 1.1).
        guard SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(TLS1_2_VERSION), nil) == 1 else {
            throw CryptoError.libcrypto("SSL_CTX_set_min_proto_version")
        }
        if configuration.verifiesPeer {
            if let file = configuration.trustedCertificateAuthorityFile {
                guard SSL_CTX_load_verify_locations(context, file, nil) == 1 else {
                    throw CryptoError.tlsHandshake.with(message: "cannot load the trusted CA file \(file)")
                }
            } else {
                guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                    throw CryptoError.libcrypto("SSL_CTX_set_default_verify_paths")
                }
            }
            SSL_set_verify(ssl, SSL_VERIFY_PEER, nil)
            if isIPAddress {
                guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName) == 1 else {
                    throw CryptoError.libcrypto("X509_VERIFY_PARAM_set1_ip_asc")
                }
            } else {
                // `*.example.org` matches one whole label; `f*.example.org` matches nothing.
                X509_VERIFY_PARAM_set_hostflags(SSL_get0_param(ssl), UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
                guard SSL_set1_host(ssl, serverName) == 1 else {
                    throw CryptoError.libcrypto("SSL_set1_host")
                }
            }
        } else {
            SSL_set_verify(ssl, SSL_VERIFY_NONE, nil)
        }
        // Server Name Indication (the SSL_set_tlsext_host_name macro), for names only.
        if !isIPAddress && !serverName.isEmpty {
            var nameBytes = Array(serverName.utf8CString)
            _ = nameBytes.withUnsafeMutableBufferPointer {
                SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, Int(TLSEXT_NAMETYPE_host_name), $0.baseAddress)
            }
        }
        guard SSL_set_fd(ssl, socket) == 1 else { throw CryptoError.libcrypto("SSL_set_fd") }
        let result = SSL_connect(ssl)
        guard result == 1 else {
            let verify = SSL_get_verify_result(ssl)
            var reason = Self.queuedReason()
            if verify != Int(X509_V_OK), let text = X509_verify_cert_error_string(verify) {
                reason = "certificate verification failed: \(String(cString: text))"
            }
            throw CryptoError.tlsHandshake.with(message: "TLS handshake with \(serverName) failed: \(reason)")
        }
        if configuration.verifiesPeer {
            // SSL_VERIFY_PEER already fails the handshake; this also refuses a session that
            // ended up without a certificate at all.
            guard let certificate = SSL_get1_peer_certificate(ssl) else {
                throw CryptoError.tlsHandshake.with(message: "TLS handshake with \(serverName) failed: no server certificate")
            }
            X509_free(certificate)
            guard SSL_get_verify_result(ssl) == Int(X509_V_OK) else {
                throw CryptoError.tlsHandshake.with(message: "TLS handshake with \(serverName) failed: the certificate did not verify")
            }
        }
    }

    /// True for an IPv4 or IPv6 address literal.
    static func isIPAddress(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    /// The negotiated protocol, e.g. `TLSv1.3`.
    public var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, Int(Int32.max))
            let written = bytes.withUnsafeBytes { raw in
                SSL_write(ssl, raw.baseAddress! + offset, Int32(chunk))
            }
            guard written > 0 else { throw CryptoError.tlsIO.with(message: "TLS write failed: \(Self.queuedReason())") }
            offset += Int(written)
        }
    }

    /// Reads up to `maximum` bytes; an empty result means the peer closed the session.
    public func read(maximum: Int = 16384) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        let count = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
        if count > 0 { return Array(buffer[0..<Int(count)]) }
        let error = SSL_get_error(ssl, count)
        if error == SSL_ERROR_ZERO_RETURN { return [] }
        throw CryptoError.tlsIO.with(message: "TLS read failed: \(Self.queuedReason())")
    }

    /// Sends close_notify (best effort).
    public func close() { _ = SSL_shutdown(ssl) }

    private static func queuedReason() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "the connection closed or timed out" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
