/// The server side of one SMTP session (RFC 5321), for an MX or a submission service, with
/// no I/O: the bytes a client sends go in, ``Event``s come out (replies to send, start TLS,
/// a recipient or a message for the host to decide on, close).
///
/// Commands: EHLO, HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, VRFY (always 252, RFC 5321
/// section 3.5.3), EXPN (502: lists are not disclosed), HELP (214), STARTTLS (RFC 3207) when
/// offered; any other verb gets 500 5.5.2. Pipelined commands (RFC 2920) are answered in
/// order. Limits: command line length (500 5.5.6), recipients per message (452 4.5.3 once
/// reached, RFC 5321 section 4.5.3.1.10), message size (552 5.3.4), the memory the host
/// can spare (``messageStorageAvailable`` and ``refuseMessage(_:)``: 452 4.3.1), client
/// errors per session (421 4.7.0 and close), and commands that move no mail (NOOP, RSET,
/// VRFY, EXPN, HELP, refused senders, recipients over the limit): past
/// ``Configuration/maximumJunkCommands`` each counts as an error. ``shutDown()`` ends a
/// session with 421 4.3.2 when the host stops. A bare CR or LF inside DATA gets the whole
/// message refused (550 5.6.11): with lenient line ends on one side and strict ones on the
/// other, a message can smuggle a second one past its end (SMTP smuggling).
public struct SMTPServerSession: Sendable {
    /// The session's limits and what it announces.
    public struct Configuration: Sendable, Hashable {
        /// The server's name in the greeting and the EHLO reply.
        public var serverName: String
        /// The most recipients one message may have. Default: 100, the least RFC 5321
        /// section 4.5.3.1.8 lets a server take.
        public var maximumRecipients: Int = 100
        /// The largest message in octets, announced with SIZE (RFC 1870). Default: 25 MiB.
        public var maximumMessageSize: Int = 25 * 1024 * 1024
        /// The longest command line, CRLF included. Default: 512 (RFC 5321 section
        /// 4.5.3.1.4).
        public var maximumCommandLength: Int = 512
        /// How many refused commands a client may send before it is disconnected with 421.
        /// Default: 10.
        public var maximumErrors: Int = 10
        /// How many commands that move no mail (NOOP, RSET, VRFY, EXPN, HELP, a MAIL the
        /// host's ``SMTPServerSession/senderCheck`` refuses) a client may send between two
        /// messages it hands over; each one past this counts as an error (toward
        /// ``maximumErrors``). RCPTs over ``maximumRecipients`` are not junk (RFC 5321
        /// section 4.5.3.1.10 has the client send the rest later): only past 1,000 in a
        /// session (Postfix's `smtpd_recipient_overshoot_limit`) does each count as an error.
        /// Repeated EHLO/HELO and MAIL refused for its SIZE are neither: the listener's
        /// connection lifetime bounds such a session. Default: 100 (as Postfix's
        /// `smtpd_junk_command_limit`).
        public var maximumJunkCommands: Int = 100
        /// Whether STARTTLS is offered (the host has a certificate). Default: false.
        public var offersStartTLS: Bool = false

        /// A configuration for a server called `serverName`; the rest takes the defaults.
        public init(serverName: String) { self.serverName = serverName }
    }

    /// What the host does next.
    public enum Event: Sendable, Hashable {
        /// Send this reply to the client.
        case reply(SMTPReply)
        /// The 220 to STARTTLS was the last reply: run the TLS handshake as the server now,
        /// then call ``tlsEstablished()``.
        case startTLS
        /// A client asks for this recipient: decide (an alias look-up) and call
        /// ``resolveRecipient(_:)`` with 250 or a refusal. Nothing else is read meanwhile.
        case recipient(String)
        /// A whole message arrived: relay it and call ``resolveMessage(_:)`` with the reply
        /// (250, or 451/550 when the relay refused). Nothing else is read meanwhile.
        case message(SMTPReceivedMessage)
        /// Close the connection (after QUIT's 221, or a 421).
        case close
    }

    enum Phase: Sendable, Hashable {
        /// Greeted (or after STARTTLS): EHLO or HELO must come first.
        case awaitingHello
        case ready
        case data
        case awaitingRecipientDecision
        case awaitingMessageDecision
        case tlsHandshake
        case closed
    }

    /// The configuration.
    public let configuration: Configuration
    /// Whether TLS is on (``tlsEstablished()`` was called).
    public internal(set) var isTLSActive = false
    /// The name the client gave in EHLO/HELO.
    public internal(set) var clientName: String?
    /// Whether the client's last greeting was EHLO (false for HELO, or before any): a trace
    /// field's protocol is `SMTP` after HELO (RFC 3848).
    public internal(set) var greetedWithEHLO = false
    /// The octets of the message being received, or of the last one, dots unstuffed:
    /// counted also once the message was refused and its content dropped (for a host's
    /// report of a refused message's size).
    public internal(set) var messageOctetsReceived = 0
    /// How many message octets the host can hold right now, set by the host before it hands
    /// bytes in: a MAIL whose SIZE (RFC 1870) is within ``Configuration/maximumMessageSize``
    /// but above this gets 452 4.3.1 (insufficient system storage). Nil (the default): only
    /// the size limit applies. The host enforces its limit itself, while the message
    /// arrives, with ``refuseMessage(_:)``.
    public var messageStorageAvailable: Int?
    /// The host's check of each MAIL's reverse-path (empty for the null sender), run once
    /// its syntax and parameters passed: a reply refuses that MAIL with it (not counted as
    /// an error: it is policy, not the client's mistake), nil takes the sender. It runs
    /// inside ``receive(_:)``, so it must be quick and must not block. Nil (the default):
    /// every well-formed sender is taken.
    public var senderCheck: (@Sendable (String) -> SMTPReply?)?

    var phase = Phase.awaitingHello
    var buffer: [UInt8] = []
    /// Where the unread bytes of ``buffer`` start; compacted by ``process()`` once the read
    /// part is at least half.
    var bufferStart = 0
    var errors = 0
    var junkCommands = 0
    /// RCPTs past ``Configuration/maximumRecipients`` in this session.
    var recipientOvershoot = 0
    /// How many RCPTs past the recipient limit a session may send before each counts as an
    /// error (Postfix's `smtpd_recipient_overshoot_limit`).
    static let recipientOvershootLimit = 1_000
    var sender: String?
    var recipients: [String] = []
    var pendingRecipient: String?
    var usesSMTPUTF8 = false
    var content: [UInt8] = []
    var dataRefusal: SMTPReply?
    /// Inside DATA: whether the next byte starts a line.
    var atLineStart = true
    /// A command line longer than the limit is being skipped up to its end.
    var skippingLongLine = false

    /// A session for `configuration`.
    public init(configuration: Configuration) { self.configuration = configuration }

    /// The greeting to send once the client connected.
    public func start() -> [Event] { [.reply(SMTPReply(220, "\(configuration.serverName) ESMTP"))] }

    /// Takes bytes the client sent and returns what to do.
    public mutating func receive(_ bytes: [UInt8]) -> [Event] {
        // During the TLS handshake (the host should not even call this then) bytes are not
        // the protected session's: RFC 3207 section 4.2 says to discard them.
        guard phase != .closed, phase != .tlsHandshake else { return [] }
        buffer += bytes
        return process()
    }

    /// The host's answer to ``Event/recipient(_:)``: a 2xx reply adds the recipient.
    public mutating func resolveRecipient(_ reply: SMTPReply) -> [Event] {
        guard phase == .awaitingRecipientDecision, let recipient = pendingRecipient else { return [] }
        pendingRecipient = nil
        phase = .ready
        if reply.isPositive { recipients.append(recipient) }
        return [.reply(reply)] + process()
    }

    /// The host's answer to ``Event/message(_:)``; the transaction ends either way.
    public mutating func resolveMessage(_ reply: SMTPReply) -> [Event] {
        guard phase == .awaitingMessageDecision else { return [] }
        phase = .ready
        return [.reply(reply)] + process()
    }

    /// Call once the TLS handshake after ``Event/startTLS`` succeeded: the client must greet
    /// again (RFC 3207 section 4.2).
    public mutating func tlsEstablished() -> [Event] {
        guard phase == .tlsHandshake else { return [] }
        isTLSActive = true
        clientName = nil
        greetedWithEHLO = false
        discardBuffer()
        resetTransaction()
        phase = .awaitingHello
        return process()
    }

    /// Ends the session because the host is shutting down (RFC 5321 section 3.8): 421 4.3.2
    /// and close. The host calls it when the session is between commands, or once the
    /// message being received or relayed was answered (so the client knows its fate and
    /// does not send it again).
    public mutating func shutDown() -> [Event] {
        guard phase != .closed else { return [] }
        phase = .closed
        discardBuffer()
        resetTransaction()
        return [.reply(SMTPReply(421, "4.3.2 \(configuration.serverName) shutting down")), .close]
    }

    /// Whether the session is over.
    public var isClosed: Bool { phase == .closed }

    /// Handles buffered input until more is needed or the host must act, then drops the
    /// bytes it consumed once they are at least half the buffer: each byte is moved a
    /// bounded number of times, also when the host answers one pipelined RCPT at a time.
    mutating func process() -> [Event] {
        defer {
            if bufferStart > 0, bufferStart * 2 >= buffer.count {
                buffer.removeSubrange(..<min(bufferStart, buffer.count))
                bufferStart = 0
            }
        }
        return processBuffered()
    }

    /// Empties the input buffer.
    mutating func discardBuffer() {
        buffer.removeAll()
        bufferStart = 0
    }

    mutating func processBuffered() -> [Event] {
        var events: [Event] = []
        while true {
            switch phase {
            case .awaitingHello, .ready:
                guard let line = nextCommandLine(&events) else { return events }
                events += handle(command: line)
            case .data:
                guard let event = consumeData() else { return events }
                events.append(event)
            case .awaitingRecipientDecision, .awaitingMessageDecision, .tlsHandshake, .closed:
                return events
            }
        }
    }

    mutating func resetTransaction() {
        sender = nil
        recipients = []
        pendingRecipient = nil
        usesSMTPUTF8 = false
        content = []
        dataRefusal = nil
    }

    /// A refusal of the client's doing: counted, and past the limit the session ends.
    mutating func refuse(_ code: Int, _ text: String) -> [Event] {
        refuse(SMTPReply(code, text))
    }

    /// `reply`, counted as an error; past the limit the session ends with 421 instead.
    mutating func refuse(_ reply: SMTPReply) -> [Event] {
        errors += 1
        guard errors < configuration.maximumErrors else {
            phase = .closed
            return [.reply(SMTPReply(421, "4.7.0 \(configuration.serverName) too many errors, closing")), .close]
        }
        return [.reply(reply)]
    }

    /// `reply` to a command that moves no mail: past the junk limit, counted as an error.
    mutating func junk(_ reply: SMTPReply) -> [Event] {
        junkCommands += 1
        guard junkCommands > configuration.maximumJunkCommands else { return [.reply(reply)] }
        return refuse(reply)
    }
}
