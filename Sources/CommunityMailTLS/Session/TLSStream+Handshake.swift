internal import CommunityMailCOpenSSL
public import CommunityMailSystem
import Synchronization

extension TLSStream {
    /// Starts TLS as the client over `stream` (connected, and for STARTTLS already past
    /// the plaintext exchange), and returns once the server is authenticated: its chain
    /// verifies to a trusted authority and its certificate names
    /// `configuration.serverName` (unless `configuration.verifiesCertificate` is false: then
    /// once the session is encrypted, whatever the certificate).
    ///
    /// The returned stream owns `stream`: closing it closes `stream`. On failure `stream`
    /// is closed too (after a TLS alert to the peer where there is one).
    /// - Throws: `NetworkError.certificateRejected` (untrusted chain, expired, wrong name),
    ///   `NetworkError.tlsHandshake` (no common version or cipher, a peer that does not
    ///   speak TLS or hangs up before its hello, an empty server name),
    ///   `NetworkError.tlsFailure` (a CA file that cannot be loaded),
    ///   `NetworkError.connectionReset` (transient: the server hung up after its hello), or
    ///   the underlying stream's errors (`timedOut` when `deadline`
    ///   passes first).
    public static func connect(
        over stream: any ByteStream, configuration: TLSClientConfiguration, deadline: ContinuousClock.Instant
    ) async throws(NetworkError) -> TLSStream {
        let tls: TLSStream
        do {
            let context = try await TLSClientContexts.context(for: configuration)
            let engine = try TLSEngine(context: context.pointer, role: .client)
            try Self.configureClient(
                engine.session, serverName: configuration.serverName, verifiesCertificate: configuration.verifiesCertificate)
            tls = TLSStream(underlying: stream, engine: engine)
        } catch {
            await stream.close()
            throw error
        }
        try await tls.performHandshake(deadline: deadline)
        return tls
    }

    /// Starts TLS as the server over `stream` (accepted, and for STARTTLS already past
    /// the plaintext `220` answer to `STARTTLS`), with `context`'s certificate (or the
    /// one registered for the client's SNI name), and returns after the handshake.
    ///
    /// The returned stream owns `stream`: closing it closes `stream`. On failure `stream`
    /// is closed too.
    /// - Throws: `NetworkError.tlsHandshake` (a client offering only TLS 1.1 or older, no
    ///   common cipher, a client that rejected the certificate, plaintext instead of a
    ///   ClientHello), `NetworkError.connectionReset` (the client hung up after its
    ///   hello), or the underlying stream's errors (`timedOut` when `deadline`
    ///   passes first).
    public static func accept(
        over stream: any ByteStream, context: TLSServerContext, deadline: ContinuousClock.Instant
    ) async throws(NetworkError) -> TLSStream {
        let tls: TLSStream
        do {
            tls = TLSStream(underlying: stream, engine: try TLSEngine(context: context.handle.pointer, role: .server))
        } catch {
            await stream.close()
            throw error
        }
        // The SNI callback reads `context` during the handshake: the caller keeps the
        // parameter alive until this call returns.
        try await tls.performHandshake(deadline: deadline)
        return tls
    }

    /// Host name (or IP address) checks and SNI for a client `SSL`; SNI only, and no chain
    /// check, when `verifiesCertificate` is false.
    private static func configureClient(_ ssl: OpaquePointer, serverName: String, verifiesCertificate: Bool) throws(NetworkError) {
        let name = serverName.hasSuffix(".") ? String(serverName.dropLast()) : serverName
        // OpenSSL takes an empty name as "check no name": refuse it instead.
        guard !name.isEmpty else { throw .tlsHandshake("no server name to check the certificate against") }
        guard !name.utf8.contains(0) else { throw .tlsHandshake("the server name contains a NUL byte") }
        let parameters = SSL_get0_param(ssl)
        OpenSSLErrorQueue.clear()
        if !verifiesCertificate {
            // Overrides the shared context's SSL_VERIFY_PEER for this session only.
            SSL_set_verify(ssl, SSL_VERIFY_NONE, nil)
            if !TLSAddressLiteral.isIPAddress(name) { try sendServerNameIndication(ssl, name) }
            return
        }
        if TLSAddressLiteral.isIPAddress(name) {
            guard X509_VERIFY_PARAM_set1_ip_asc(parameters, name) == 1 else {
                throw .tlsFailure("cannot set the IP address to check: \(OpenSSLErrorQueue.reason())")
            }
            return
        }
        // `*.example.org` matches one whole label; `f*.example.org` matches nothing.
        X509_VERIFY_PARAM_set_hostflags(parameters, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
        guard SSL_set1_host(ssl, name) == 1 else {
            throw .tlsFailure("cannot set the host name to check: \(OpenSSLErrorQueue.reason())")
        }
        try sendServerNameIndication(ssl, name)
    }

    /// Server Name Indication (RFC 6066) for the DNS name `name`.
    private static func sendServerNameIndication(_ ssl: OpaquePointer, _ name: String) throws(NetworkError) {
        // The SSL_set_tlsext_host_name macro.
        var nameBytes = Array(name.utf8CString)
        let status = nameBytes.withUnsafeMutableBufferPointer {
            SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, Int(TLSEXT_NAMETYPE_host_name), $0.baseAddress)
        }
        guard status == 1 else { throw .tlsHandshake("the server name cannot be sent as SNI: \(OpenSSLErrorQueue.reason())") }
    }

    /// Drives the handshake: OpenSSL's output goes to the peer, the peer's input to
    /// OpenSSL, until it finishes or fails. Closes the underlying stream on failure.
    private func performHandshake(deadline: ContinuousClock.Instant) async throws(NetworkError) {
        do throws(NetworkError) {
            while true {
                let outcome = engine.withLock { $0.handshake() }
                switch outcome {
                case .done:
                    try await send(deadline: deadline, turn: .waiting)
                    return
                case .needsInput:
                    try await send(deadline: deadline, turn: .waiting)
                    let (ended, pastHello) = engine.withLock { ($0.transportEnded, $0.isPastPeersHello) }
                    if ended {
                        // After the peer's hello the peer was interrupted (worth a retry);
                        // before it, it may have refused our hello without an alert.
                        if pastHello { throw NetworkError.connectionReset("the peer closed the connection during the TLS handshake") }
                        throw NetworkError.tlsHandshake("the peer closed the connection before answering the TLS hello")
                    }
                    try await receiveCiphertext(deadline: deadline)
                case .failed(let error):
                    // Tell the peer why (the alert OpenSSL queued), as far as it listens.
                    try? await send(deadline: deadline, turn: .waiting)
                    throw error
                case .closedByPeer:
                    throw NetworkError.tlsHandshake("the peer closed the TLS session during the handshake")
                }
            }
        } catch {
            engine.withLock { $0.closedLocally = true }
            await underlying.close()
            throw error
        }
    }
}
