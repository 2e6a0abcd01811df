import CommunityMailSystem
import CommunityMailTLS

extension SMTPClient {
    /// Opens a TCP connection to `host` (a name, resolved by the system's resolver off the
    /// cooperative pool, or an address literal) on `port`: to the first of its addresses
    /// that answers, all within ``Timeouts/connect`` (name resolution included; each
    /// address gets a fair share of what is left).
    /// Nothing is read or written yet.
    /// - Throws: ``SMTPError/cannotConnect`` when the name does not resolve or no address
    ///   answers, the ``NetworkError`` of the resolver or the last attempt kept as the cause
    ///   (transient as that cause is: a name that does not exist is not, a refusal or a
    ///   timeout is);
    ///   ``SMTPError/cancelled`` when the task is cancelled meanwhile.
    public func connect(to host: String, port: UInt16) async throws(SMTPError) -> Connection {
        let deadline = ContinuousClock.now + configuration.timeouts.connect
        let addresses: [SocketAddress]
        do {
            addresses = try await SocketAddress.resolve(host: host, port: port, deadline: deadline)
        } catch {
            throw Self.connectFailure(error, "cannot resolve the SMTP server's name")
        }
        var failure = NetworkError.unreachable("no address to connect to")
        for (index, address) in addresses.enumerated() {
            let attemptDeadline = Self.attemptDeadline(
                overall: deadline, addressesLeft: addresses.count - index, minimumShare: configuration.timeouts.minimumAddressShare)
            do {
                return Connection(host: host, stream: try await TCPConnection.connect(to: address, deadline: attemptDeadline))
            } catch where error == .cancelled("") {
                throw Self.connectFailure(error, "cancelled while connecting to the SMTP server")
            } catch {
                failure = error
            }
        }
        throw Self.connectFailure(failure, "cannot connect to the SMTP server")
    }

    /// When one attempt gives up: its fair share of what is left of `overall` among the
    /// addresses still to try, at least `minimumShare`, never past `overall`.
    package static func attemptDeadline(
        overall: ContinuousClock.Instant, addressesLeft: Int, minimumShare: Duration, now: ContinuousClock.Instant = .now
    ) -> ContinuousClock.Instant {
        let remaining = overall - now
        guard addressesLeft > 1, remaining > .zero else { return overall }
        return min(overall, now + max(remaining / addressesLeft, minimumShare))
    }

    /// ``SMTPError/cancelled`` for a cancellation, ``SMTPError/cannotConnect`` otherwise.
    private static func connectFailure(_ error: NetworkError, _ message: String) -> SMTPError {
        (error == .cancelled("") ? SMTPError.cancelled : SMTPError.cannotConnect).with(message: message, networkError: error)
    }

    /// Delivers `message` over `connection` (just opened by ``connect(to:port:)``),
    /// encrypted as `security` says with the server authenticated as `tls` says, and
    /// closes the connection.
    /// - Returns: the server's reply to the message.
    /// - Throws: ``SMTPError``: besides those of ``send(_:over:security:)``,
    ///   ``SMTPError/insecureConfiguration`` for an empty TLS server name (nothing is sent)
    ///   and ``SMTPError/tlsFailed`` when the implicit TLS handshake fails (an untrusted
    ///   chain, a certificate for another name, no common version).
    @discardableResult
    public func send(
        _ message: SMTPMessage, over connection: Connection, security: ConnectionSecurity, tls: TLSOptions = TLSOptions()
    ) async throws(SMTPError) -> SMTPReply {
        try Self.messageReply(try await converse(message, over: connection, security: security, tls: tls, everyRecipient: true))
    }

    /// Delivers `message` over `connection` (just opened by ``connect(to:port:)``) to the
    /// recipients the server accepts, encrypted as `security` says, and closes the
    /// connection: ``deliver(_:over:security:)`` over a TCP connection.
    /// - Returns: the server's reply to each RCPT and to the message.
    /// - Throws: ``SMTPError``: as ``send(_:over:security:tls:)``, except that refused
    ///   recipients and a refused message are in the report.
    public func deliver(
        _ message: SMTPMessage, over connection: Connection, security: ConnectionSecurity, tls: TLSOptions = TLSOptions()
    ) async throws(SMTPError) -> SMTPDeliveryReport {
        try await converse(message, over: connection, security: security, tls: tls, everyRecipient: false)
    }

    /// ``connect(to:port:)`` then ``deliver(_:over:security:tls:)``: one message to `host`.
    public func deliver(
        _ message: SMTPMessage, to host: String, port: UInt16, security: ConnectionSecurity, tls: TLSOptions = TLSOptions()
    ) async throws(SMTPError) -> SMTPDeliveryReport {
        try await deliver(message, over: try await connect(to: host, port: port), security: security, tls: tls)
    }

    /// One conversation over `connection`, encrypted as `security` says.
    private func converse(
        _ message: SMTPMessage, over connection: Connection, security: ConnectionSecurity, tls: TLSOptions, everyRecipient: Bool
    ) async throws(SMTPError) -> SMTPDeliveryReport {
        switch security {
        case .plain:
            return try await converse(message, over: connection.stream, encryption: .none, everyRecipient: everyRecipient)
        case .startTLS(let required):
            let upgrade = try await tlsUpgrade(for: connection, tls: tls)
            return try await converse(
                message, over: connection.stream, encryption: .startTLS(required: required, upgrade: upgrade), everyRecipient: everyRecipient)
        case .implicitTLS:
            let upgrade = try await tlsUpgrade(for: connection, tls: tls)
            let encrypted: any ByteStream
            do {
                // On failure TLSStream.connect has closed the TCP connection.
                encrypted = try await upgrade(connection.stream, ContinuousClock.now + configuration.timeouts.command)
            } catch {
                throw Conversation.mappedHandshake(error, in: "the implicit TLS handshake")
            }
            return try await converse(message, over: encrypted, encryption: .implicit, everyRecipient: everyRecipient)
        }
    }

    /// The TLS client handshake `tls` asks for, checking the name it gives or the
    /// connection's host. Closes the connection when the name is empty.
    private func tlsUpgrade(
        for connection: Connection, tls: TLSOptions
    ) async throws(SMTPError) -> @Sendable (any ByteStream, ContinuousClock.Instant) async throws(NetworkError) -> any ByteStream {
        let serverName = tls.serverName ?? connection.host
        // Credentials go only to a server whose certificate was checked (RFC 8314): TLS
        // without verification protects against listeners, not against whoever answers.
        guard tls.verifiesCertificate || configuration.credentials == nil || configuration.allowsPlaintextAuthentication else {
            await connection.close()
            throw SMTPError.insecureConfiguration.with(message: "credentials would go over TLS whose certificate is not checked")
        }
        guard !serverName.isEmpty else {
            await connection.close()
            throw SMTPError.insecureConfiguration.with(message: "the TLS server name is empty, so the server's certificate could not be checked")
        }
        var tlsConfiguration = TLSClientConfiguration(serverName: serverName)
        tlsConfiguration.trustedCertificateAuthorityFile = tls.trustedCertificateAuthorityFile
        tlsConfiguration.minimumVersion = tls.minimumVersion == .tls13 ? .tls13 : .tls12
        tlsConfiguration.verifiesCertificate = tls.verifiesCertificate
        return { [tlsConfiguration] stream, deadline throws(NetworkError) in
            try await TLSStream.connect(over: stream, configuration: tlsConfiguration, deadline: deadline)
        }
    }

    /// ``connect(to:port:)`` then ``send(_:over:security:tls:)``: one message to `host`.
    @discardableResult
    public func send(
        _ message: SMTPMessage, to host: String, port: UInt16, security: ConnectionSecurity, tls: TLSOptions = TLSOptions()
    ) async throws(SMTPError) -> SMTPReply {
        try await send(message, over: try await connect(to: host, port: port), security: security, tls: tls)
    }
}
