/// The server side of one POP3 session (RFC 1939, with CAPA and pipelining from RFC 2449,
/// STLS from RFC 2595, AUTH PLAIN from RFC 5034 and response codes from RFC 3206) as a
/// pure state machine: bytes in, ``Action``s out; no sockets, no mailbox, no clock.
///
/// The caller writes the bytes of `.send`, and carries out `.startTLS`, `.authenticate`,
/// `.retrieve` and `.update`, each time calling back with the outcome
/// (``tlsEstablished()``, ``authenticationFinished(_:)``, ``messageRetrieved(_:)``,
/// ``updateFinished(succeeded:)``). While one of those is outstanding, pipelined commands
/// wait in the session's buffer (RFC 2449 PIPELINING) and are answered in order after it.
///
/// States: AUTHORIZATION (until a login succeeds), TRANSACTION, UPDATE (after QUIT:
/// the messages marked with DELE are removed). A session that ends any other way removes
/// nothing.
public struct POP3Session: Sendable {
    /// What the caller does next.
    public enum Action: Sendable, Hashable {
        /// Write these bytes to the client.
        case send([UInt8])
        /// Start TLS on the connection (the `+OK` to STLS was sent first), then call
        /// ``tlsEstablished()``; close the connection if the handshake fails.
        case startTLS
        /// Check the credentials (and open the maildrop), then call
        /// ``authenticationFinished(_:)``.
        case authenticate(MailAccessCredentials)
        /// Read the message with this UID, then call ``messageRetrieved(_:)``; with
        /// `bodyLines`, for TOP.
        case retrieve(uid: UInt32, bodyLines: Int?)
        /// Remove these UIDs from the maildrop (QUIT in TRANSACTION), then call
        /// ``updateFinished(succeeded:)``.
        case update(deleting: [UInt32])
        /// Close the connection (after writing what was sent).
        case close
    }

    /// Where the session is (RFC 1939 section 3).
    public enum State: Sendable, Hashable {
        /// Before a successful login.
        case authorization
        /// Logged in: the maildrop is open.
        case transaction
        /// After QUIT in TRANSACTION: deletions are being applied.
        case update
        /// Ended: nothing more is read.
        case closed
    }

    /// How a login ended, as the caller tells ``authenticationFinished(_:)``.
    public enum AuthenticationOutcome: Sendable, Hashable {
        /// Accepted: the maildrop as it is now.
        case succeeded(POP3Maildrop)
        /// Wrong name or password (`-ERR [AUTH]`).
        case refused
        /// Too many failed logins lately from this client or for this name (`-ERR [SYS/TEMP]`).
        case rateLimited
        /// Another POP3 session holds the maildrop (`-ERR [IN-USE]`).
        case inUse
        /// The member has as many sessions as allowed (`-ERR [SYS/TEMP]`).
        case tooManySessions
        /// The mailbox cannot be opened: `temporary` for `[SYS/TEMP]`, else `[SYS/PERM]`.
        case unavailable(temporary: Bool)
    }

    /// What the session waits for before it reads on.
    enum Pending: Sendable, Hashable {
        case tls
        case authentication
        case retrieval
        case update
        /// A SASL PLAIN response line after `+ `.
        case saslResponse
    }

    /// The configuration.
    public let configuration: Configuration
    /// The current state.
    public internal(set) var state = State.authorization
    /// True once STLS's handshake finished (or the caller said the connection is TLS from the start).
    public internal(set) var isTLSActive: Bool
    /// The maildrop, once logged in.
    public internal(set) var maildrop: POP3Maildrop?
    /// Message numbers (0-based indexes) marked with DELE.
    public internal(set) var deleted: Set<Int> = []
    /// Unknown or malformed commands so far.
    public internal(set) var badCommands = 0
    /// True once the client sent QUIT (the session ends by the client's choice).
    public internal(set) var quitReceived = false
    /// True after the client sent UTF8 (RFC 6856).
    public internal(set) var utf8Enabled = false

    var buffer: [UInt8] = []
    var readOffset = 0
    var pending: Pending?
    /// USER's name, waiting for PASS.
    var userName: String?
    /// Discarding the rest of an overlong line (up to its LF).
    var discardingLine = false
    /// TOP's line count for the retrieval outstanding (nil for RETR).
    var retrievalBodyLines: Int?

    /// A session; `overTLS` when the connection is TLS from its start (POP3S, port 995).
    public init(configuration: Configuration, overTLS: Bool = false) {
        self.configuration = configuration
        isTLSActive = overTLS
    }

    /// Whether an outcome from the caller is outstanding (a SASL response is the client's to send).
    var waitsForCaller: Bool { pending != nil && pending != .saslResponse }
    /// Whether a password may be sent now.
    var mayAuthenticate: Bool { isTLSActive || configuration.allowsPlaintextAuthentication }
    /// Whether STLS may be used now.
    var offersSTLS: Bool { configuration.offersSTLS && !isTLSActive }

    // MARK: Events from the caller

    /// The greeting.
    public mutating func start() -> [Action] {
        [.send(POP3Reply.ok("\(configuration.serverName) POP3 ready").encoded)]
    }

    /// Takes bytes from the client and answers every complete command that can be
    /// answered now.
    public mutating func receive(_ bytes: [UInt8]) -> [Action] {
        guard state != .closed else { return [] }
        buffer += bytes
        return waitsForCaller ? [] : processLines()
    }

    /// The TLS handshake after STLS finished. Anything the client sent before it was
    /// dropped (RFC 2595 section 4: no plaintext may be acted on after STLS).
    public mutating func tlsEstablished() -> [Action] {
        guard pending == .tls else { return [] }
        pending = nil
        isTLSActive = true
        buffer = []
        readOffset = 0
        // RFC 2595: the client forgets what it knew; so does the server.
        userName = nil
        return processLines()
    }

    /// The outcome of `.authenticate`.
    public mutating func authenticationFinished(_ outcome: AuthenticationOutcome) -> [Action] {
        guard pending == .authentication else { return [] }
        pending = nil
        userName = nil
        var actions: [Action]
        switch outcome {
        case .succeeded(let drop):
            maildrop = drop
            state = .transaction
            let size = drop.messages.reduce(0) { $0 + $1.size }
            actions = [.send(POP3Reply.ok("maildrop has \(drop.messages.count) messages (\(size) octets)").encoded)]
        case .refused:
            actions = [.send(POP3Reply.error("authentication failed", code: .authentication).encoded)]
        case .rateLimited:
            actions = [.send(POP3Reply.error("too many failed logins, try again later", code: .temporarySystemError).encoded)]
        case .inUse:
            actions = [.send(POP3Reply.error("the maildrop is in use by another POP3 session", code: .inUse).encoded)]
        case .tooManySessions:
            actions = [.send(POP3Reply.error("too many sessions for this user", code: .temporarySystemError).encoded)]
        case .unavailable(let temporary):
            actions = [.send(POP3Reply.error(
                "the mailbox cannot be opened", code: temporary ? .temporarySystemError : .permanentSystemError).encoded)]
        }
        return actions + processLines()
    }

    /// The message `.retrieve` asked for, or nil when it is gone or cannot be read.
    public mutating func messageRetrieved(_ content: [UInt8]?) -> [Action] {
        guard pending == .retrieval else { return [] }
        pending = nil
        let bodyLines = retrievalBodyLines
        guard let content else {
            return [.send(POP3Reply.error("the message cannot be read", code: .temporarySystemError).encoded)] + processLines()
        }
        var reply = POP3Reply.ok(bodyLines == nil ? "\(POP3MessageEncoder.normalizedSize(of: content)) octets" : "top of message").encoded
        reply += POP3MessageEncoder.encode(content, bodyLines: bodyLines)
        return [.send(reply)] + processLines()
    }

    /// The outcome of `.update`: the session ends either way.
    public mutating func updateFinished(succeeded: Bool) -> [Action] {
        guard pending == .update else { return [] }
        pending = nil
        state = .closed
        let reply = succeeded ? POP3Reply.ok("\(configuration.serverName) signing off")
            : POP3Reply.error("some deleted messages not removed", code: .temporarySystemError)
        return [.send(reply.encoded), .close]
    }

    /// The client sent no complete command for the idle timeout. RFC 1939 section 3: when
    /// the autologout timer expires the session does not enter the UPDATE state (nothing
    /// marked with DELE is removed) and the server closes the connection without sending
    /// any response, so nothing unsolicited can be read as the answer to a command in flight.
    public mutating func timedOut() -> [Action] {
        guard state != .closed else { return [] }
        state = .closed
        return [.close]
    }

    /// The client did not log in within the server's login timeout (a server policy
    /// outside RFC 1939, whose autologout timer is an inactivity timer): close without
    /// any reply, as RFC 1939 section 3 asks on its timer's expiry, so that no unsolicited
    /// `-ERR` can be read as the answer to a PASS in flight.
    public mutating func loginTimedOut() -> [Action] {
        guard state != .closed else { return [] }
        state = .closed
        return [.close]
    }

    /// The server is shutting down: `-ERR` and close; nothing is deleted.
    public mutating func shutDown() -> [Action] {
        guard state != .closed else { return [] }
        state = .closed
        return [.send(POP3Reply.error("server shutting down", code: .temporarySystemError).encoded), .close]
    }

    /// The maildrop's message numbers not marked deleted, with their index.
    var visibleMessages: [(number: Int, message: POP3Maildrop.Message)] {
        guard let maildrop else { return [] }
        return maildrop.messages.enumerated().compactMap { deleted.contains($0.offset) ? nil : ($0.offset + 1, $0.element) }
    }
}
