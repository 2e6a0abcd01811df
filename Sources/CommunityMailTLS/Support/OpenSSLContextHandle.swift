internal import CommunityMailCOpenSSL
import CommunityMailSystem

/// Owns one `SSL_CTX`. An `SSL_CTX` may be shared by threads once configured (OpenSSL
/// locks what it changes inside), which is how this module uses it.
final class OpenSSLContextHandle: @unchecked Sendable {
    // @unchecked: the pointer is configured before the handle is shared, and OpenSSL
    // makes the shared uses (SSL_new, session cache) thread-safe.
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { SSL_CTX_free(pointer) }

    /// What every context here has: the minimum version, no renegotiation, no
    /// compression.
    func applyCommonSettings(minimumVersion: TLSProtocolVersion) throws(NetworkError) {
        // SSL_CTX_set_min_proto_version is a macro over SSL_CTX_ctrl.
        guard SSL_CTX_ctrl(pointer, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(minimumVersion.openSSLValue), nil) == 1 else {
            throw .tlsFailure("cannot set the minimum TLS version: \(OpenSSLErrorQueue.reason())")
        }
        // Renegotiation has a history of attacks (and would need reads during writes);
        // compression leaks secrets (CRIME). OpenSSL 3 turns compression off already.
        _ = SSL_CTX_set_options(pointer, communitymail_ssl_op_no_renegotiation() | communitymail_ssl_op_no_compression())
    }
}
