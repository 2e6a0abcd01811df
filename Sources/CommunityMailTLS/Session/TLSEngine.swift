internal import CommunityMailCOpenSSL
import CommunityMailSystem

/// One OpenSSL `SSL` whose network side is two memory BIOs: ciphertext from the peer is
/// fed in, ciphertext for the peer is taken out, and no call ever blocks or touches a
/// socket. `TLSStream` moves the ciphertext over its `ByteStream`.
///
/// Not thread-safe: `TLSStream` keeps it under a `Mutex`, and each call reads OpenSSL's
/// (per-thread) error queue inside the same locked section.
final class TLSEngine {
    /// What a handshake step or a read needs next.
    enum Outcome<Value> {
        case done(Value)
        /// OpenSSL needs more ciphertext from the peer.
        case needsInput
        /// The peer sent close_notify: the end of its data.
        case closedByPeer
        case failed(NetworkError)
    }

    /// The largest plaintext one TLS record carries (RFC 8446 section 5.1).
    static let maximumRecordPlaintext = 16_384

    private let ssl: OpaquePointer
    /// Ciphertext the peer sent, for OpenSSL to read.
    private let networkInput: OpaquePointer
    /// Ciphertext OpenSSL wrote, for the peer.
    private let networkOutput: OpaquePointer

    /// Ciphertext taken from OpenSSL and not yet handed to the underlying stream, in
    /// order. `TLSStream.send` sends it.
    var pendingOutput: [UInt8] = []
    /// Bytes ever appended to ``pendingOutput``, and ever taken from it: positions in the
    /// outgoing ciphertext, so a reader can send what it queued and no more.
    private(set) var queuedTotal = 0
    var takenTotal = 0
    /// The underlying stream ended (the peer closed its side).
    var transportEnded = false
    /// Our side called close(): no more reads or writes.
    var closedLocally = false
    /// The handshake finished.
    var isEstablished = false
    /// A fatal failure: every later read or write reports it again.
    var failure: NetworkError?
    /// A task is handing ciphertext to the underlying stream (`TLSStream.send`).
    var isSending = false
    /// Tasks waiting for their turn to send, in order.
    var sendWaiters: [CheckedContinuation<Void, Never>] = []
    /// The first failure of the underlying stream's writes: the record stream is broken.
    var sendFailure: NetworkError?

    /// Which side of the handshake this engine plays.
    enum Role { case client, server }

    init(context: OpaquePointer, role: Role) throws(NetworkError) {
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context) else {
            throw .tlsFailure("cannot create a TLS session: \(OpenSSLErrorQueue.reason())")
        }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw .tlsFailure("cannot create the TLS session's buffers: \(OpenSSLErrorQueue.reason())")
        }
        // An empty memory BIO then means "no data yet, retry", not "end of file"
        // (the BIO_set_mem_eof_return macro).
        _ = BIO_ctrl(input, BIO_C_SET_BUF_MEM_EOF_RETURN, -1, nil)
        _ = BIO_ctrl(output, BIO_C_SET_BUF_MEM_EOF_RETURN, -1, nil)
        SSL_set_bio(ssl, input, output)  // the SSL owns both BIOs now
        switch role {
        case .client: SSL_set_connect_state(ssl)
        case .server: SSL_set_accept_state(ssl)
        }
        self.ssl = ssl
        self.networkInput = input
        self.networkOutput = output
    }

    deinit { SSL_free(ssl) }

    /// The `SSL`, for configuration before the handshake.
    var session: OpaquePointer { ssl }

    /// One step of the handshake.
    func handshake() -> Outcome<Void> {
        OpenSSLErrorQueue.clear()
        let result = SSL_do_handshake(ssl)
        defer { collectOutput() }
        if result == 1 {
            isEstablished = true
            return .done(())
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .needsInput
        default: return .failed(handshakeFailure())
        }
    }

    /// Whether the handshake got past the peer's hello: the peer agreed on a version and
    /// cipher and went on. A peer that hangs up after that was interrupted (a restart,
    /// overload); one that hangs up before may have refused our hello without an alert.
    var isPastPeersHello: Bool {
        let state = SSL_get_state(ssl)
        let beforePeersHello = [
            TLS_ST_BEFORE, TLS_ST_CW_CLNT_HELLO, TLS_ST_CR_SRVR_HELLO, TLS_ST_SR_CLNT_HELLO, TLS_ST_CR_HELLO_REQ,
            DTLS_ST_CR_HELLO_VERIFY_REQUEST,
        ]
        return !beforePeersHello.contains(state)
    }

    /// Why the handshake failed: a certificate verification result when there is one,
    /// else OpenSSL's reason (a protocol version mismatch, an alert from the peer).
    private func handshakeFailure() -> NetworkError {
        let verification = SSL_get_verify_result(ssl)
        // An encrypt-only client (SSL_VERIFY_NONE) records a failed check but does not stop
        // for it: the handshake failed for another reason.
        if verification != Int(X509_V_OK), SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER != 0 {
            ERR_clear_error()
            let reason = X509_verify_cert_error_string(verification).map { String(cString: $0) } ?? "code \(verification)"
            return .certificateRejected("the peer's certificate was rejected: \(reason)")
        }
        return .tlsHandshake("TLS handshake failed: \(OpenSSLErrorQueue.reason())")
    }

    /// The most plaintext one read returns: four full records.
    static let maximumReadSize = 4 * maximumRecordPlaintext

    /// What ended a read that had already decrypted some bytes (the peer's close_notify,
    /// a failure): the next read reports it, so no decrypted byte is held back.
    private var deferredReadEnd: Outcome<[UInt8]>?

    /// Up to `maximumCount` bytes of plaintext (at most ``maximumReadSize``): as many
    /// records as have arrived whole.
    func read(maximumCount: Int) -> Outcome<[UInt8]> {
        if let deferredReadEnd {
            if case .failed = deferredReadEnd { self.deferredReadEnd = nil }
            return deferredReadEnd
        }
        OpenSSLErrorQueue.clear()
        let capacity = min(max(1, maximumCount), Self.maximumReadSize)
        var end: Outcome<[UInt8]>?
        // A returned array is sized to what was decrypted, not to the 64 KiB a read may take.
        let plaintext = ReadBuffer.receive(upTo: capacity) { buffer -> Int in
            var initialized = 0
            while initialized < capacity {
                var count = 0
                if SSL_read_ex(ssl, buffer.baseAddress! + initialized, capacity - initialized, &count) == 1 {
                    initialized += count
                    continue
                }
                switch SSL_get_error(ssl, 0) {
                case SSL_ERROR_WANT_READ: end = .needsInput
                case SSL_ERROR_ZERO_RETURN: end = .closedByPeer
                default: end = .failed(.tlsFailure("TLS read failed: \(OpenSSLErrorQueue.reason())"))
                }
                break
            }
            return initialized
        }
        // A read can produce output too: an alert, or the answer to a KeyUpdate.
        collectOutput()
        guard plaintext.isEmpty else {
            switch end {
            case .closedByPeer?, .failed(_)?: deferredReadEnd = end
            default: break
            }
            return .done(plaintext)
        }
        return end ?? .needsInput
    }

    /// Encrypts all of `bytes` into ``pendingOutput``. Memory BIOs grow, so OpenSSL never
    /// asks to wait; the caller bounds what it passes at once.
    func write(_ bytes: ArraySlice<UInt8>) -> NetworkError? {
        OpenSSLErrorQueue.clear()
        var written = 0
        let result = bytes.withUnsafeBytes { SSL_write_ex(ssl, $0.baseAddress, $0.count, &written) }
        collectOutput()
        guard result == 1, written == bytes.count else {
            return .tlsFailure("TLS write failed: \(OpenSSLErrorQueue.reason())")
        }
        return nil
    }

    /// Queues close_notify (our side sends no more).
    func shutdown() {
        OpenSSLErrorQueue.clear()
        _ = SSL_shutdown(ssl)
        OpenSSLErrorQueue.clear()
        collectOutput()
    }

    /// Hands ciphertext from the peer to OpenSSL.
    func feed(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { BIO_write(networkInput, $0.baseAddress, Int32($0.count)) }
    }

    /// Takes everything OpenSSL wrote and appends it to ``pendingOutput``.
    private func collectOutput() {
        let count = Int(BIO_ctrl_pending(networkOutput))
        guard count > 0 else { return }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { BIO_read(networkOutput, $0.baseAddress, Int32($0.count)) }
        let produced = bytes.prefix(Int(max(0, read)))
        pendingOutput.append(contentsOf: produced)
        queuedTotal += produced.count
    }

    /// The negotiated version (after the handshake).
    var protocolVersion: TLSProtocolVersion {
        SSL_version(ssl) == TLS1_3_VERSION ? .tls13 : .tls12
    }

    /// The name the client sent in SNI, if any (on a server, after the handshake).
    var requestedServerName: String? {
        SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
    }
}
