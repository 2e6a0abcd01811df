import CommunityMailSystem
import EncryptedMailbox

/// One client's POP3 session: reads bytes into ``POP3Session``, carries out its actions
/// (login, STLS, reading messages, the removals after QUIT) and writes the replies. Its
/// life around that (limits, drain, TLS, lease, report) is
/// ``MailAccessConnectionLifecycle``'s.
struct POP3Connection: MailAccessConnection {
    let server: POP3Server
    var lifecycle: MailAccessConnectionLifecycle
    /// The stream in use: the accepted one, or the TLS stream over it.
    var stream: any ByteStream
    var session: POP3Session
    /// The logged-in member's hold on their mailbox.
    var lease: MailboxLease?
    /// When the command being waited for must be complete: kept while bytes arrive without
    /// completing a command, so a client dripping bytes cannot hold the session forever.
    var commandDeadline: ContinuousClock.Instant?
    /// Set when the session ends by a timeout: `.timedOut` or `.loginTimedOut`.
    var timeoutEnding: MailAccessEvent.Ending?
    /// When a client still in AUTHORIZATION is logged out.
    let loginDeadline: ContinuousClock.Instant

    init(server: POP3Server, stream: any ByteStream, client: InternetAddress?, implicitTLS: Bool) {
        self.server = server
        self.stream = stream
        lifecycle = MailAccessConnectionLifecycle(
            .pop3, configuration: server.configuration, authenticator: server.authenticator, ports: server.ports,
            client: client, implicitTLS: implicitTLS)
        loginDeadline = lifecycle.started + server.configuration.loginTimeout
        var configuration = POP3Session.Configuration(serverName: server.configuration.serverName)
        configuration.offersSTLS = server.ports.tlsContext != nil
        configuration.allowsPlaintextAuthentication = server.configuration.plaintextAuthentication.allows(client)
        configuration.maximumLineLength = server.configuration.maximumLineLength
        configuration.maximumBadCommands = server.configuration.maximumBadCommands
        configuration.implementation = server.configuration.implementation
        session = POP3Session(configuration: configuration, overTLS: implicitTLS)
    }

    var configuration: POP3Server.Configuration { server.configuration }
    var limits: MailAccessLimits { lifecycle.limits }

    static var busyReply: [UInt8] { POP3Reply.error("too many connections, try again later", code: .temporarySystemError).encoded }
    static var locksMaildrop: Bool { true }
    var isTLSActive: Bool { session.isTLSActive }

    /// Nothing to end: the maildrop is a listing, and a session that ends without QUIT
    /// removes nothing.
    func endSession() async {}

    /// The session until it ends; ``MailAccessConnection/run()`` closes the stream.
    mutating func converse() async -> MailAccessEvent.Ending {
        guard await startImplicitTLS() else { return .tlsFailed }
        var actions = lifecycle.isClosing ? session.shutDown() : session.start()
        while true {
            var outgoing: [UInt8] = []
            var next = 0
            // By index: more actions are appended as outcomes come back.
            while next < actions.count {
                let action = actions[next]
                next += 1
                switch action {
                case .send(let bytes):
                    outgoing += bytes
                    // Pipelined RETRs: do not hold many messages in memory at once.
                    if outgoing.count >= 262_144, !(await write(&outgoing)) { return .writeFailed }
                case .close:
                    guard await write(&outgoing) else { return .writeFailed }
                    return ending
                case .startTLS:
                    guard await write(&outgoing) else { return .writeFailed }
                    guard await startTLS() else { return .tlsFailed }
                    actions += session.tlsEstablished()
                case .authenticate(let credentials):
                    guard await write(&outgoing) else { return .writeFailed }
                    actions += session.authenticationFinished(await authenticate(credentials))
                case .retrieve(let uid, _):
                    actions += session.messageRetrieved(await retrieve(uid))
                case .update(let uids):
                    actions += session.updateFinished(succeeded: await remove(uids))
                }
            }
            actions = []
            guard await write(&outgoing) else { return .writeFailed }
            if session.state == .closed { return ending }
            let bytes: [UInt8]
            let waitEnds = commandDeadline ?? .now + limits.idleTimeout
            commandDeadline = waitEnds
            // In AUTHORIZATION the login deadline, counted from the connection, may come first.
            let loginEndsFirst = session.state == .authorization && loginDeadline < waitEnds
            do {
                guard let read = try await lifecycle.readBetweenCommands(from: stream, deadline: loginEndsFirst ? loginDeadline : waitEnds) else {
                    actions = session.shutDown()
                    continue
                }
                bytes = read
            } catch where error == .timedOut("") {
                if loginEndsFirst {
                    timeoutEnding = .loginTimedOut
                    actions = session.loginTimedOut()
                } else {
                    timeoutEnding = .timedOut
                    actions = session.timedOut()
                }
                continue
            } catch {
                return .clientClosed
            }
            guard !bytes.isEmpty else { return .clientClosed }
            let before = session.badCommands
            actions = session.receive(bytes)
            // Only a command answered restarts the idle wait (refused junk does not).
            if !actions.isEmpty && session.badCommands == before { commandDeadline = nil }
        }
    }

    /// How the session ended, once it is closed.
    var ending: MailAccessEvent.Ending { session.quitReceived ? .loggedOut : timeoutEnding ?? .closedByServer }

    /// Logs in through ``MailAccessLogin`` (rate limits, credentials, the member's session
    /// limit and the maildrop lock) and loads the maildrop.
    mutating func authenticate(_ credentials: MailAccessCredentials) async -> POP3Session.AuthenticationOutcome {
        let folder = configuration.maildropFolder
        let outcome = await lifecycle.login.attempt(credentials, from: lifecycle.client, overTLS: session.isTLSActive, locksMaildrop: Self.locksMaildrop) { lease in
            try await POP3Maildrop.load(from: lease.mailbox, folder: folder)
        }
        switch outcome {
        case .accepted(let lease, let maildrop):
            self.lease = lease
            return .succeeded(maildrop)
        case .refused: return .refused
        case .rateLimited: return .rateLimited
        case .unavailable(let temporary): return .unavailable(temporary: temporary)
        case .sessionRefused(.maildropLocked): return .inUse
        case .sessionRefused: return .tooManySessions
        }
    }

    /// The stored bytes of `uid`, nil when it is gone (expunged by IMAP meanwhile) or unreadable.
    func retrieve(_ uid: UInt32) async -> [UInt8]? {
        guard let mailbox = lease?.mailbox else { return nil }
        return try? await mailbox.fetch(UIDSet([uid]), in: configuration.maildropFolder, content: .whole).first?.content
    }

    /// The UPDATE state: flags `uids` `\Deleted` and expunges exactly those. Other sessions
    /// on the mailbox (IMAP) see the expunge through its events.
    func remove(_ uids: [UInt32]) async -> Bool {
        guard let mailbox = lease?.mailbox else { return false }
        let set = UIDSet(uids)
        do {
            _ = try await mailbox.store(.add(.deleted), on: set, in: configuration.maildropFolder)
            _ = try await mailbox.expunge(configuration.maildropFolder, uids: set)
            return true
        } catch {
            return false
        }
    }

    /// Writes and empties `bytes`; false when the client is gone or too slow.
    func write(_ bytes: inout [UInt8]) async -> Bool {
        guard !bytes.isEmpty else { return true }
        defer { bytes = [] }
        do {
            try await stream.write(bytes, deadline: .now + limits.writeTimeout)
            return true
        } catch {
            return false
        }
    }
}
