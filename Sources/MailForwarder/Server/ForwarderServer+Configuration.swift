public import CommunityMailSystem

extension ForwarderServer {
    /// The server's name, limits, timeouts and TLS.
    public struct Configuration: Sendable {
        /// The name in the greeting, the EHLO reply and our `Received:` fields (the MX's
        /// host name).
        public var serverName: String
        /// The largest message in octets, announced with SIZE; larger ones get 552 5.3.4.
        /// Default: 50 MB (50 × 1024 × 1024).
        public var maximumMessageSize = 50 * 1024 * 1024
        /// The most message octets all sessions together may hold in memory at once (a
        /// message counts from its first byte after 354 until the relay has answered):
        /// without it, 512 connections each sending 50 MB could make the server hold 25 GB.
        /// A message that would go past it gets 452 4.3.1 at its final dot (the rest is read
        /// and discarded, not held), and a MAIL whose SIZE is larger than what is free gets
        /// 452 4.3.1 at once: both temporary, so the sender tries again later. At least
        /// ``maximumMessageSize``. Counted: the received octets (working copies made to
        /// relay a message come on top, and each connection may hold up to one read, 64 KiB,
        /// before it is counted). The connections from one client address together may hold
        /// an eighth of it (but at least one message of ``maximumMessageSize``); past that
        /// their message gets 452 4.3.1 too. Default: 1 GiB.
        public var messageMemoryBudget = 1024 * 1024 * 1024
        /// The most recipients of one message; the next RCPT gets 452 4.5.3. Default: 50.
        public var maximumRecipients = 50
        /// The longest command line, CRLF included; longer ones get 500 5.5.6. Default: 512
        /// (RFC 5321 section 4.5.3.1.4).
        public var maximumCommandLength = 512
        /// How many refused commands a client may send before 421 and disconnection.
        /// Default: 10.
        public var maximumErrors = 10
        /// How many commands that move no mail (NOOP, RSET, VRFY, EXPN, HELP, a refused
        /// sender) a client may send between two messages; each one past it counts as an
        /// error (toward ``maximumErrors``). RCPTs over ``maximumRecipients`` count only past
        /// 1,000 in a session (see `SMTPServerSession.Configuration.maximumJunkCommands`).
        /// Default: 100 (as Postfix's `smtpd_junk_command_limit`).
        public var maximumJunkCommands = 100
        /// The most `Received:` fields a message may already carry; more is a mail loop
        /// (554 5.4.6). Default: 25.
        public var maximumReceivedFields = 25
        /// How long the server waits for a command (RFC 5321 section 4.5.3.2.7 says at
        /// least 5 minutes); then 421 4.4.2 and the connection closes. Default: 5 minutes.
        public var commandTimeout: Duration = .seconds(300)
        /// How long the server waits for the next bytes of a message after 354; then 421
        /// 4.4.2. Default: 3 minutes (RFC 5321's data block timeout).
        public var dataTimeout: Duration = .seconds(180)
        /// The slowest a whole message may arrive, in octets per second: the message must
        /// be complete ``wholeDataTimeout`` after 354 — the longer of ``dataTimeout`` and
        /// the time ``maximumMessageSize`` takes at this rate — or the client gets 421 4.4.2,
        /// so one that sends a byte now and then cannot hold its message's memory for hours.
        /// Default: 32 KiB/s (50 MB in 27 minutes).
        public var minimumDataRate = 32 * 1024
        /// How long a reply may take to write (a client that does not read). Default: 60 s.
        public var writeTimeout: Duration = .seconds(60)
        /// How long the TLS handshake after STARTTLS may take. Default: 60 s.
        public var tlsHandshakeTimeout: Duration = .seconds(60)
        /// How long the next hop may take over one message; then it is cancelled, and the
        /// recipients it had not finished get 451 (the sender retries; the delivery ledger
        /// keeps those it had). The sending MTA waits 10 minutes for its DATA reply (RFC
        /// 5321 section 4.5.3.2.6): a reply after that is lost, and its retry a duplicate.
        /// Default: 5 minutes.
        public var relayTimeout: Duration = .seconds(300)
        /// How long ``ForwarderServer/close()`` lets sessions that are receiving a message or
        /// waiting on its relay finish (their client gets the message's reply, then 421)
        /// before it closes every connection left without a reply. A message cut off there
        /// may be delivered and sent again by its client: keep it above the relay's usual
        /// time and below the host's own stop timeout (systemd's default is 90 s). Default:
        /// 60 s.
        public var shutdownGracePeriod: Duration = .seconds(60)
        /// The certificate for STARTTLS; nil (the default) offers no STARTTLS.
        public var tls: TLSFiles?
        /// The listener's limits: connections in total (default 512) and per client address
        /// (default 16; over either the client gets 421 4.7.0), a connection's lifetime
        /// (default 1 hour) and an idle backstop behind ``commandTimeout`` (default 6
        /// minutes; passing it closes without a reply).
        public var listener: TCPListener.Configuration
        /// Where the `Received:` field's date comes from, and the clock of the delivery
        /// ledger's time to live. Default: `SystemClock()`.
        public var clock: any ServiceClock = SystemClock()
        /// The retry fingerprint: after a partial delivery (some recipients accepted
        /// downstream, one deferred, 451 to the sender) the sender's retry of the same
        /// message goes only to the recipients that do not have it yet. In memory, bounded
        /// (see ``DeliveryLedger``). Default: on, with ``DeliveryLedger/Configuration/init()``'s
        /// limits; nil turns it off.
        public var deliveryLedger: DeliveryLedger.Configuration? = DeliveryLedger.Configuration()
        /// Checks each message before it is forwarded (SPF, DKIM, DMARC) and says what to add
        /// (Authentication-Results, an ARC seal) or that it is refused. Default: nil, which
        /// forwards every message unchecked and unsealed.
        public var authenticator: (any InboundAuthenticator)?
        /// Called with a ``ForwarderEvent`` after each message's DATA reply and at the end of
        /// each session, on the session's task: keep it short (hand the event to a log or a
        /// counter). Default: nil.
        public var events: (@Sendable (ForwarderEvent) -> Void)?
        /// Whether ``ForwarderEvent/Message/addresses`` is filled in (the sender and the
        /// final recipients): for a debug log that an operator turns on for a while. Who
        /// wrote to whom is exactly what the forwarder otherwise never keeps. Default: false.
        public var eventsCarryAddresses = false

        /// How long a whole message may take after 354: the longer of ``dataTimeout`` and
        /// ``maximumMessageSize`` at ``minimumDataRate``.
        public var wholeDataTimeout: Duration {
            let atRate = Duration.seconds(Double(maximumMessageSize) / Double(max(1, minimumDataRate)))
            return max(dataTimeout, atRate)
        }

        /// A configuration for the MX called `serverName`; the rest takes the defaults.
        public init(serverName: String) {
            self.serverName = serverName
            var listener = TCPListener.Configuration()
            listener.idleTimeout = .seconds(360)
            listener.whenFull = .reject
            self.listener = listener
        }
    }

    /// PEM files with the certificate chain (the server's first) and its private key, read
    /// once when the server is made.
    public struct TLSFiles: Sendable, Hashable {
        /// The certificate chain file.
        public var certificateChainFile: String
        /// The private key file.
        public var privateKeyFile: String

        /// The two files.
        public init(certificateChainFile: String, privateKeyFile: String) {
            self.certificateChainFile = certificateChainFile
            self.privateKeyFile = privateKeyFile
        }
    }
}
