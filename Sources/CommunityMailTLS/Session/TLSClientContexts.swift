internal import CommunityMailCOpenSSL
import CommunityMailSystem
import Synchronization

/// The client-side `SSL_CTX`s. A context that trusts the system store is made once per
/// minimum version and shared (finding and indexing the store is the costly part); one
/// that trusts a given file is made per connection, so the file is read afresh.
enum TLSClientContexts {
    private static let systemTrust = Mutex<[TLSProtocolVersion: OpenSSLContextHandle]>([:])

    static func context(for configuration: TLSClientConfiguration) throws(NetworkError) -> OpenSSLContextHandle {
        if let file = configuration.trustedCertificateAuthorityFile {
            let handle = try makeContext(minimumVersion: configuration.minimumVersion)
            OpenSSLErrorQueue.clear()
            guard SSL_CTX_load_verify_locations(handle.pointer, file, nil) == 1 else {
                throw .tlsFailure("cannot load the trusted certificate authorities \(file): \(OpenSSLErrorQueue.reason())")
            }
            return handle
        }
        if let shared = systemTrust.withLock({ $0[configuration.minimumVersion] }) { return shared }
        let handle = try makeContext(minimumVersion: configuration.minimumVersion)
        OpenSSLErrorQueue.clear()
        guard SSL_CTX_set_default_verify_paths(handle.pointer) == 1 else {
            throw .tlsFailure("cannot load the system's trusted certificate authorities: \(OpenSSLErrorQueue.reason())")
        }
        return systemTrust.withLock { contexts in
            if let raced = contexts[configuration.minimumVersion] { return raced }
            contexts[configuration.minimumVersion] = handle
            return handle
        }
    }

    private static func makeContext(minimumVersion: TLSProtocolVersion) throws(NetworkError) -> OpenSSLContextHandle {
        OpenSSLErrorQueue.clear()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw .tlsFailure("cannot create a TLS client context: \(OpenSSLErrorQueue.reason())")
        }
        let handle = OpenSSLContextHandle(context)
        try handle.applyCommonSettings(minimumVersion: minimumVersion)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        return handle
    }
}
