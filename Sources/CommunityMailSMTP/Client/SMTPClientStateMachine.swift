/// The client side of one SMTP conversation (RFC 5321) delivering one message, with
/// STARTTLS (RFC 3207), PIPELINING (RFC 2920), AUTH PLAIN (RFC 4954), SIZE (RFC 1870),
/// 8BITMIME (RFC 6152) and SMTPUTF8 (RFC 6531), and no I/O: the bytes the server sends go
/// in, ``Action``s come out (send these bytes, start TLS now, delivered, failed).
///
/// Every recipient gets its RCPT, whatever the server answered the ones before (RFC 5321
/// section 3.3), so the outcome is one reply per recipient (``SMTPDeliveryReport``). With
/// ``Configuration/requiresEveryRecipient`` (the default) one refusal means no message at
/// all (``SMTPError/rejected``); without it the message goes to the accepted recipients,
/// and only when none was accepted does the client end with QUIT instead of DATA.
///
/// ``SMTPClient`` drives it over a `ByteStream`; tests drive it with scripted replies.
/// Call ``receive(_:)`` with whatever arrived, perform the actions in order, call
/// ``tlsEstablished()`` after a ``Action/startTLS`` and ``connectionClosed()`` when the
/// stream ends. After a ``Action/delivered(_:)`` or ``Action/fail(_:sendsQuit:)`` the
/// conversation is over.
public struct SMTPClientStateMachine: Sendable {
    /// How the client behaves.
    public struct Configuration: Sendable, Hashable {
        /// The name given in EHLO/HELO: a domain, or an address literal such as `[192.0.2.1]`.
        public var heloName: String
        /// Whether the message may only go after STARTTLS succeeded. Default: true (a server
        /// that does not offer STARTTLS gets nothing: ``SMTPError/tlsUnavailable``).
        public var requiresTLS: Bool = true
        /// Whether the client sends STARTTLS when the server offers it even though TLS is
        /// not required (opportunistic TLS: a server that does not offer it gets the message
        /// in plaintext; one that offers it and then fails the handshake gets nothing).
        /// Default: false.
        public var startsTLSWhenOffered: Bool = false
        /// Whether the stream is encrypted before the greeting (implicit TLS, RFC 8314
        /// section 3: port 465). The client then never sends STARTTLS, and AUTH may go.
        /// Default: false.
        public var isImplicitTLS: Bool = false
        /// Credentials for AUTH PLAIN after EHLO (and after TLS). Default: nil, no AUTH.
        public var credentials: SMTPCredentials?
        /// Whether credentials may go over a connection without TLS. Default: false (only a
        /// host that knows the peer is on loopback should set it).
        public var allowsPlaintextAuthentication: Bool = false
        /// Whether MAIL and every RCPT go in one write when the server offers PIPELINING
        /// (RFC 2920); DATA follows once their replies are in, so it is never sent when no
        /// recipient was accepted. Default: true.
        public var usesPipelining: Bool = true
        /// How long and how many reply lines the server may send. Default: ``SMTPReplyParser/Limits/init()``.
        public var replyLimits = SMTPReplyParser.Limits()
        /// Whether a refused recipient stops the message for all: the conversation then fails
        /// with the first refusal (``SMTPError/rejected``) and no DATA is sent. When false,
        /// the message goes to the recipients the server accepted and the conversation ends
        /// with an ``SMTPDeliveryReport`` (a refused DATA or message is a reply in it, not a
        /// failure). Default: true (all or nothing, what ``SMTPClient/send(_:over:security:)``
        /// promises).
        public var requiresEveryRecipient: Bool = true

        /// A configuration that introduces itself as `heloName`; the rest takes the defaults.
        public init(heloName: String) { self.heloName = heloName }
    }

    /// What the driver does next.
    public enum Action: Sendable, Hashable {
        /// Write these bytes to the server.
        case send([UInt8])
        /// The server accepted STARTTLS: run the TLS handshake on the stream now, before any
        /// further read, then call ``tlsEstablished()``.
        case startTLS
        /// The transaction is over, with the server's reply for each recipient and to the
        /// message (with ``Configuration/requiresEveryRecipient``, every recipient and the
        /// message were accepted). QUIT has been sent (an action before this one). Close
        /// the stream.
        case delivered(SMTPDeliveryReport)
        /// The conversation failed. When `sendsQuit` is true, write `QUIT` CRLF (best effort:
        /// the error stands whatever happens), then close the stream.
        case fail(SMTPError, sendsQuit: Bool)
    }

    /// Which reply the client waits for; the driver picks the command's timeout by it
    /// (RFC 5321 section 4.5.3.2).
    public enum Stage: Sendable, Hashable {
        /// The server's 220 greeting.
        case greeting
        /// The reply to EHLO or HELO.
        case hello
        /// The reply to STARTTLS.
        case startTLS
        /// Nothing: the TLS handshake runs.
        case tlsHandshake
        /// The reply to AUTH.
        case authentication
        /// The reply to MAIL.
        case mail
        /// The reply to a RCPT.
        case recipient
        /// The reply to DATA (354).
        case dataInitiation
        /// The reply to the final dot, after the message went out.
        case dataTermination
        /// Nothing: the conversation is over.
        case finished
    }

    enum State: Sendable {
        case greeting
        case hello(extended: Bool)
        case startTLS
        case tlsHandshake
        case authentication
        /// The replies to MAIL and RCPT still owed, in order.
        case transaction(awaiting: [Awaited])
        case dataInitiation
        case dataTermination
        case finished
    }

    enum Awaited: Sendable { case mail, recipient }

    /// The message this conversation delivers.
    public let message: SMTPMessage
    /// The configuration.
    public let configuration: Configuration
    /// The extensions announced in the last EHLO reply (emptied by STARTTLS, RFC 3207
    /// section 4.2).
    public internal(set) var capabilities = SMTPCapabilities()
    /// Whether TLS is on (``tlsEstablished()`` was called, or the stream was encrypted from
    /// the start: ``Configuration/isImplicitTLS``).
    public internal(set) var isTLSActive = false
    var state = State.greeting
    var parser: SMTPReplyParser
    var pipelined = false
    /// The refusal of MAIL, once its reply is in.
    var senderRefusal: SMTPError?
    /// The reply to each RCPT so far, in the message's order.
    var recipientReplies: [SMTPReply] = []

    /// A conversation that delivers `message`; it starts by waiting for the greeting.
    /// - Throws: ``SMTPError/invalidAddress`` when the EHLO name could inject a command (it
    ///   must be non-empty printable ASCII without spaces).
    public init(message: SMTPMessage, configuration: Configuration) throws(SMTPError) {
        let name = configuration.heloName.utf8
        guard !name.isEmpty, name.count <= 255, name.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw SMTPError.invalidAddress.with(message: "the EHLO name must be a domain or an address literal")
        }
        self.message = message
        self.configuration = configuration
        isTLSActive = configuration.isImplicitTLS
        parser = SMTPReplyParser(limits: configuration.replyLimits)
    }

    /// The reply the client waits for now.
    public var stage: Stage {
        switch state {
        case .greeting: .greeting
        case .hello: .hello
        case .startTLS: .startTLS
        case .tlsHandshake: .tlsHandshake
        case .authentication: .authentication
        case .transaction(let awaiting): awaiting.first == .mail ? .mail : .recipient
        case .dataInitiation: .dataInitiation
        case .dataTermination: .dataTermination
        case .finished: .finished
        }
    }

    /// Takes bytes the server sent and returns what to do; an empty array means "read more".
    public mutating func receive(_ bytes: [UInt8]) -> [Action] {
        // Bytes handed in while the TLS handshake runs came around it, in plaintext: none of
        // them may be read as the TLS session's.
        guard !isFinished, stage != .tlsHandshake else { return [] }
        parser.append(bytes)
        var actions: [Action] = []
        do {
            while !isFinished, stage != .tlsHandshake, let reply = try parser.nextReply() {
                actions += handle(reply)
            }
        } catch {
            actions.append(finish(error, sendsQuit: false))
        }
        return actions
    }

    /// Call once the TLS handshake after ``Action/startTLS`` succeeded: the client greets
    /// again with EHLO, as RFC 3207 section 4.2 requires.
    public mutating func tlsEstablished() -> [Action] {
        guard case .tlsHandshake = state else { return [] }
        isTLSActive = true
        capabilities = SMTPCapabilities()
        state = .hello(extended: true)
        return [.send(command("EHLO \(configuration.heloName)"))]
    }

    /// Call when the server closed the stream (or it broke): unless the message was already
    /// accepted, the conversation failed.
    public mutating func connectionClosed() -> [Action] {
        guard !isFinished else { return [] }
        return [finish(SMTPError.protocolError.with(message: "the SMTP server closed the connection (\(stage))"), sendsQuit: false)]
    }

    /// Whether the conversation is over.
    public var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    func command(_ text: String) -> [UInt8] { Array((text + "\r\n").utf8) }

    mutating func finish(_ error: SMTPError, sendsQuit: Bool) -> Action {
        state = .finished
        return .fail(error, sendsQuit: sendsQuit)
    }
}
