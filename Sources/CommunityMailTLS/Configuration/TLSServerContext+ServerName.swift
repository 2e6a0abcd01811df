internal import CommunityMailCOpenSSL

/// OpenSSL's SNI callback: switches the connection to the context registered for the
/// name the client asked for. Unknown or absent names keep the default context.
private let serverNameCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = {
    ssl, _, argument in
    guard let ssl, let argument, let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) else {
        return SSL_TLSEXT_ERR_OK
    }
    let defaultContext = Unmanaged<TLSServerContext>.fromOpaque(argument).takeUnretainedValue()
    if let chosen = defaultContext.context(forServerName: String(cString: name)) {
        _ = SSL_set_SSL_CTX(ssl, chosen.handle.pointer)
    }
    return SSL_TLSEXT_ERR_OK
}

extension TLSServerContext {
    /// Registers ``serverNameCallback`` with this object as its argument (the
    /// `SSL_CTX_set_tlsext_servername_callback` and `_arg` macros). The argument is not
    /// retained: the callback runs only inside a handshake, and `TLSStream.accept` holds
    /// the context until the handshake ends.
    func installServerNameCallback() {
        let callback = unsafeBitCast(serverNameCallback, to: (@convention(c) () -> Void).self)
        _ = SSL_CTX_callback_ctrl(handle.pointer, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB, callback)
        _ = SSL_CTX_ctrl(handle.pointer, SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG, 0, Unmanaged.passUnretained(self).toOpaque())
    }
}
