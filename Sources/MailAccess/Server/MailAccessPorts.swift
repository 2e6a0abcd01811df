import CommunityMailSystem
import CommunityMailTLS
import Synchronization

/// The ports of a MailAccess server (POP3 or IMAP): a plain one and, optionally, an
/// implicit-TLS one, served together, with the certificate both use and the graceful
/// shutdown of the connections accepted on them. The servers keep only what differs:
/// their configuration's validation and the connection each runs.
struct MailAccessPorts: Sendable {
    /// The certificate and key, when configured (STARTTLS/STLS and the implicit-TLS port).
    let tlsContext: TLSServerContext?
    /// The plain port (STARTTLS/STLS when there is a certificate).
    let plain: TCPListener
    /// The implicit-TLS port (IMAPS, POP3S), if any.
    let implicitTLS: TCPListener?
    /// The graceful shutdown every connection of the server watches.
    let drain = ConnectionDrain()
    /// Whether ``run(busyReply:connection:)`` was called: a second call must fail without
    /// touching the listeners (closing them would cut the running sessions off).
    private let runs = FirstRun()

    /// Checks what the servers' configurations share (the limits, the server name), loads
    /// the certificate (when `configuration.tls` is given) and listens on `address` and,
    /// when given, `implicitTLSAddress`, with the limits' connection caps as the
    /// listeners' backstop.
    /// - Throws: ``MailAccessError/invalidConfiguration`` (a limit below its least usable
    ///   value, an empty or multi-line server name, an implicit-TLS port without a
    ///   certificate, a certificate that cannot be loaded), ``MailAccessError/io`` (cannot
    ///   listen).
    init(
        address: SocketAddress, implicitTLSAddress: SocketAddress?, configuration: some MailAccessServerConfiguration
    ) async throws(MailAccessError) {
        let limits = configuration.limits, tls = configuration.tls
        guard limits.areUsable else {
            throw MailAccessError.invalidConfiguration.with(message: "a limit is below its least usable value")
        }
        guard !configuration.serverName.isEmpty, !configuration.serverName.contains(where: { $0.isNewline }) else {
            throw MailAccessError.invalidConfiguration.with(message: "the server name must be one line, not empty")
        }
        guard implicitTLSAddress == nil || tls != nil else {
            throw MailAccessError.invalidConfiguration.with(message: "an implicit-TLS port needs a certificate")
        }
        if let files = tls {
            do {
                tlsContext = try await TLSServerContext(certificateChainFile: files.certificateChainFile, privateKeyFile: files.privateKeyFile)
            } catch {
                throw MailAccessError.invalidConfiguration.with(message: "cannot load the TLS certificate or key: \(error.message)", cause: error)
            }
        } else {
            tlsContext = nil
        }
        var listenerConfiguration = TCPListener.Configuration()
        listenerConfiguration.maximumConnections = limits.maximumSessions
        // The session table answers clients over the per-address limit in the protocol
        // (BYE, -ERR); the listener's own limit is a backstop above it.
        listenerConfiguration.maximumConnectionsPerAddress =
            limits.maximumSessionsPerAddress == .max ? .max : limits.maximumSessionsPerAddress + 1
        listenerConfiguration.whenFull = .reject
        // The session's own timeouts decide; the listener's only catches a stuck write.
        listenerConfiguration.idleTimeout = limits.idleTimeout + limits.writeTimeout
        listenerConfiguration.lifetime = nil
        do {
            plain = try TCPListener(address: address, configuration: listenerConfiguration)
            implicitTLS = try implicitTLSAddress.map { address throws(NetworkError) in
                try TCPListener(address: address, configuration: listenerConfiguration)
            }
        } catch {
            throw MailAccessError.io.with(message: "cannot listen: \(error.message)", cause: error)
        }
    }

    /// Shuts down gracefully: stops accepting on both ports at once (connections already
    /// accepted go on) and starts the drain, which closes what is still open after
    /// `gracePeriod`. Closing twice is harmless.
    func close(gracePeriod: Duration) {
        plain.stopAccepting()
        implicitTLS?.stopAccepting()
        drain.beginClosing(gracePeriod: gracePeriod)
    }

    /// Accepts on both ports until both stop (``close(gracePeriod:)``, or the task's
    /// cancellation), running `connection` for each accepted one (with the peer's address
    /// and whether it came in on the implicit-TLS port) on a task that prefers
    /// `BlockingExecutor.shared`; returns once every connection has ended. Nothing is
    /// accepted once the server is closing. A connection over the listener's backstop gets
    /// `busyReply` on the plain port (nothing on the TLS port, where plaintext would be
    /// garbage). When one port fails for good, both close.
    /// - Throws: ``MailAccessError/io`` with the first failure, or at once (touching no
    ///   connection) when the server runs already or ran before.
    func run(
        busyReply: [UInt8],
        connection serve: @escaping @Sendable (_ stream: any ByteStream, _ client: InternetAddress?, _ implicitTLS: Bool) async -> Void
    ) async throws(MailAccessError) {
        guard runs.claim() else { throw MailAccessError.io.with(message: "the server runs already, or ran before") }
        if drain.isClosing { return }
        let plain = plain, implicitTLS = implicitTLS, drain = drain
        let listeners = [(plain, false)] + (implicitTLS.map { [($0, true)] } ?? [])
        let failure = await withTaskGroup(of: NetworkError?.self) { group in
            for (listener, isImplicitTLS) in listeners {
                group.addTask {
                    do throws(NetworkError) {
                        try await listener.serve { connection in
                            await withTaskExecutorPreference(BlockingExecutor.shared) {
                                await serve(connection, connection.remoteAddress.address, isImplicitTLS)
                            }
                        } rejected: { connection, _ in
                            if !isImplicitTLS { try? await connection.write(busyReply, deadline: .now + .seconds(5)) }
                        }
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var first: NetworkError?
            for await result in group {
                guard let result, first == nil else { continue }
                // A port closed before it started serving, because the server is closing
                // (close() landed as run() began): a stop like any other, not a failure
                // that cuts the other port's sessions short.
                if result == NetworkError.closed(""), drain.isClosing { continue }
                first = result
                plain.close()
                implicitTLS?.close()
            }
            return first
        }
        if let failure { throw MailAccessError.io.with(message: "stopped accepting connections: \(failure.message)", cause: failure) }
    }
}

/// True for the first ``claim()`` only.
private final class FirstRun: Sendable {
    private let claimed = Mutex(false)

    func claim() -> Bool {
        claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }
}
