internal import CommunityMailCOpenSSL
import CommunityMailSystem
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The client-side `SSL_CTX`s, made once and shared by connections (making one and
/// loading authorities costs more than a handshake's own work): one per minimum version
/// for the system store, and one per CA file as long as the file's size and modification
/// time stay the same, so a replaced file takes effect at the next connection.
enum TLSClientContexts {
    private static let systemTrust = Mutex<[TLSProtocolVersion: OpenSSLContextHandle]>([:])
    /// For sessions that encrypt without checking the certificate: no authorities loaded,
    /// so a missing or broken CA file cannot fail them, and no handshake consults the disk.
    private static let noTrust = Mutex<[TLSProtocolVersion: OpenSSLContextHandle]>([:])

    /// A CA file as it was when its context was made.
    private struct FileKey: Hashable {
        var path: String
        var minimumVersion: TLSProtocolVersion
        var size: Int
        var modified: Int
        var modifiedNanoseconds: Int
    }

    /// Contexts by CA file; emptied when it reaches `fileContextLimit` (a host uses one
    /// or two files; tests make many).
    private static let fileTrust = Mutex<[FileKey: OpenSSLContextHandle]>([:])
    private static let fileContextLimit = 32

    /// The shared context for `configuration`, made (or, for a CA file, checked against
    /// the file) on the configuration's executor: `stat()` and reading certificates block
    /// on the disk. Only the system store's context, once made, is returned without a hop.
    ///
    /// (The system store also names a directory that OpenSSL consults during a handshake
    /// for an issuer the bundle lacks: one failed `open()` per miss, inside the handshake.)
    static func context(for configuration: TLSClientConfiguration) async throws(NetworkError) -> OpenSSLContextHandle {
        if !configuration.verifiesCertificate {
            if let shared = noTrust.withLock({ $0[configuration.minimumVersion] }) { return shared }
            let handle = try makeContext(minimumVersion: configuration.minimumVersion)
            SSL_CTX_set_verify(handle.pointer, SSL_VERIFY_NONE, nil)
            return noTrust.withLock { contexts in
                if let raced = contexts[configuration.minimumVersion] { return raced }
                contexts[configuration.minimumVersion] = handle
                return handle
            }
        }
        if configuration.trustedCertificateAuthorityFile == nil,
            let shared = systemTrust.withLock({ $0[configuration.minimumVersion] }) {
            return shared
        }
        return try await configuration.executor.run { () throws(NetworkError) -> OpenSSLContextHandle in
            try loadContext(for: configuration)
        }
    }

    /// ``context(for:)``'s work, on a thread that may block.
    private static func loadContext(for configuration: TLSClientConfiguration) throws(NetworkError) -> OpenSSLContextHandle {
        if let file = configuration.trustedCertificateAuthorityFile {
            var status = stat()
            guard stat(file, &status) == 0 else {
                throw .tlsFailure("cannot load the trusted certificate authorities \(file): \(String(cString: strerror(errno)))")
            }
            #if canImport(Darwin)
            let modified = status.st_mtimespec
            #else
            let modified = status.st_mtim
            #endif
            let key = FileKey(
                path: file, minimumVersion: configuration.minimumVersion, size: Int(status.st_size),
                modified: Int(modified.tv_sec), modifiedNanoseconds: Int(modified.tv_nsec))
            if let shared = fileTrust.withLock({ $0[key] }) { return shared }
            let handle = try makeContext(minimumVersion: configuration.minimumVersion)
            OpenSSLErrorQueue.clear()
            guard SSL_CTX_load_verify_locations(handle.pointer, file, nil) == 1 else {
                throw .tlsFailure("cannot load the trusted certificate authorities \(file): \(OpenSSLErrorQueue.reason())")
            }
            fileTrust.withLock { contexts in
                if contexts.count >= fileContextLimit { contexts.removeAll() }
                contexts[key] = handle
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
