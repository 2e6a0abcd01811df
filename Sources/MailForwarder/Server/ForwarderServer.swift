public import CommunityMailSystem
import CommunityMailSMTP
import CommunityMailTLS

/// The MX: an SMTP server (RFC 5321) that takes mail for the domains a
/// ``RecipientPolicy`` serves and relays each message, in memory and synchronously, to a
/// ``RelayHop``, answering DATA only once the next hop has answered. No queue, nothing
/// written to disk, no log of who wrote to whom.
///
/// Each connection runs CommunityMailSMTP's `SMTPServerSession` (EHLO, PIPELINING, SIZE,
/// 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, STARTTLS when configured) on a task that
/// prefers `BlockingExecutor.shared`. Per RCPT the policy decides; per message the
/// envelope sender is rewritten with SRS, our `Received:` field goes first, and a message
/// that already has more than ``Configuration/maximumReceivedFields`` of them is a loop
/// (554 5.4.6).
///
/// ```swift
/// let server = try await ForwarderServer(
///     address: try SocketAddress("127.0.0.1:2525"),
///     configuration: .init(serverName: "mx.example.org"),
///     policy: AliasRecipientPolicy(aliases: store, srs: srs),
///     relay: SmarthostRelay(configuration: smarthost), srs: srs)
/// try await server.run()   // until close() or cancellation
/// ```
public final class ForwarderServer: Sendable {
    /// The configuration.
    public let configuration: Configuration
    let policy: any RecipientPolicy
    let relay: any RelayHop
    let srs: SRSRewriter
    let tlsContext: TLSServerContext?
    /// The message octets all sessions hold, against ``Configuration/messageMemoryBudget``
    /// (at least ``Configuration/maximumMessageSize``, or `invalidConfiguration`).
    let messageMemory: MessageMemoryBudget
    let listener: TCPListener
    /// Which recipients already have a message the sender will retry; nil when turned off.
    let ledger: DeliveryLedger?
    /// The sessions, as ``close()`` ends them.
    let drain = ConnectionDrain()

    /// Loads the TLS certificate (when configured) and listens on `address` (port 0: the
    /// kernel chooses; see ``localAddress``). Nothing is served before ``run()``.
    /// - Throws: ``ForwarderError/invalidConfiguration`` (an empty or unusable server name,
    ///   a limit below 1), ``ForwarderError/tlsUnavailable`` (the certificate or key cannot
    ///   be loaded), ``ForwarderError/cryptoFailure`` (no random key for the delivery
    ///   ledger), ``ForwarderError/network`` (cannot listen).
    public init(
        address: SocketAddress, configuration: Configuration, policy: any RecipientPolicy, relay: any RelayHop, srs: SRSRewriter
    ) async throws(ForwarderError) {
        guard ReceivedHeader.isPlainName(configuration.serverName) else {
            throw ForwarderError.invalidConfiguration.with(message: "the server name must be a domain name or an address literal")
        }
        guard configuration.maximumMessageSize >= 1, configuration.maximumRecipients >= 1, configuration.maximumCommandLength >= 16,
            configuration.maximumErrors >= 1, configuration.maximumReceivedFields >= 1, configuration.maximumJunkCommands >= 0,
            configuration.minimumDataRate >= 1
        else { throw ForwarderError.invalidConfiguration.with(message: "a limit is below its least usable value") }
        guard configuration.messageMemoryBudget >= configuration.maximumMessageSize else {
            throw ForwarderError.invalidConfiguration.with(message: "the message memory budget is smaller than the largest message")
        }
        self.configuration = configuration
        messageMemory = MessageMemoryBudget(limit: configuration.messageMemoryBudget, largestMessage: configuration.maximumMessageSize)
        self.policy = policy
        self.relay = relay
        self.srs = srs
        ledger = try configuration.deliveryLedger.map { limits throws(ForwarderError) in
            try DeliveryLedger(configuration: limits, clock: configuration.clock)
        }
        if let files = configuration.tls {
            do {
                tlsContext = try await TLSServerContext(certificateChainFile: files.certificateChainFile, privateKeyFile: files.privateKeyFile)
            } catch {
                throw ForwarderError.tlsUnavailable.with(message: "cannot load the TLS certificate or key: \(error.message)", cause: error)
            }
        } else {
            tlsContext = nil
        }
        do {
            listener = try TCPListener(address: address, configuration: configuration.listener)
        } catch {
            throw ForwarderError.network.with(message: "cannot listen on \(address): \(error.message)", cause: error)
        }
    }

    /// Where the server listens, with the port the kernel chose for port 0.
    public var localAddress: SocketAddress { listener.localAddress }

    /// How many connections ``run()`` serves now: clients turned away with 421 at the
    /// listener's limits are not counted, nor sessions a host runs with ``serve(_:)``.
    public var sessionCount: Int { listener.connectionCount }

    /// The message octets the sessions hold in memory now, counted against
    /// ``Configuration/messageMemoryBudget``.
    public var messageBytesInMemory: Int { messageMemory.inUse }

    /// Serves connections until ``close()`` (gracefully) or the task's cancellation (which
    /// closes every connection at once); returns once every session has ended. Clients over the listener's limits get `421 4.7.0` and are closed.
    /// - Throws: ``ForwarderError/network`` when accepting fails for good, or when called
    ///   twice.
    public func run() async throws(ForwarderError) {
        // Closed before it ran (a signal during start-up): nothing to serve, not a failure.
        if drain.isClosing { return }
        let busy = Array("421 4.7.0 \(configuration.serverName) too many connections, try again later\r\n".utf8)
        do {
            try await listener.serve { connection in
                await withTaskExecutorPreference(BlockingExecutor.shared) {
                    await self.serve(connection, client: connection.remoteAddress.address)
                }
            } rejected: { connection, _ in
                try? await connection.write(busy, deadline: .now + .seconds(5))
            }
        } catch {
            throw ForwarderError.network.with(message: "stopped accepting connections: \(error.message)", cause: error)
        }
    }

    /// Shuts the server down gracefully: it stops accepting at once (new clients are refused
    /// by the kernel); each session waiting for a command gets `421 4.3.2 <name> shutting
    /// down` and is closed; a session receiving a message or waiting on its relay first
    /// gets its message answered (the relay's reply), then the 421. Whatever is still open
    /// ``Configuration/shutdownGracePeriod`` later is closed without a reply. ``run()``
    /// returns once every session has ended. Closing twice is harmless (the first grace
    /// deadline stands).
    public func close() {
        listener.stopAccepting()
        drain.beginClosing(gracePeriod: configuration.shutdownGracePeriod, onHardClose: { [listener] in listener.close() })
    }

    /// Runs one SMTP session over `stream` (already connected: the greeting goes first) and
    /// closes it at the end. ``run()`` calls this for each connection; a host with its own
    /// listener, or a test over `InMemoryByteStream`, may call it directly.
    public func serve(_ stream: any ByteStream) async {
        await serve(stream, client: nil)
    }

    /// One session; `client` (the peer's address, nil when unknown) has its own share of
    /// the message memory budget.
    func serve(_ stream: any ByteStream, client: InternetAddress?) async {
        var connection = ForwarderConnection(server: self, stream: stream, client: client)
        await connection.run()
    }
}
