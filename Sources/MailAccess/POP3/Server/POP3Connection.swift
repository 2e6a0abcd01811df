import CommunityMailSystem
import CommunityMailTLS
import EncryptedMailbox

/// One client's POP3 session: reads bytes into ``POP3Session``, carries out its actions
/// (login, STLS, reading messages, the removals after QUIT) and writes the replies.
struct POP3Connection {
    let server: POP3Server
    /// The stream in use: the accepted one, or the TLS stream over it.
    var stream: any ByteStream
    let client: InternetAddress?
    let implicitTLS: Bool
    var session: POP3Session
    /// The logged-in member's hold on their mailbox.
    var lease: MailboxLease?
    /// When the command being waited for must be complete: kept while bytes arrive without
    /// completing a command, so a client dripping bytes cannot hold the session forever.
    var commandDeadline: ContinuousClock.Instant?
    var drainSlot = 0
    /// Set when the session ends by a timeout: `.timedOut` or `.loginTimedOut`.
    var timeoutEnding: MailAccessEvent.Ending?
    let started = ContinuousClock.now
    /// When a client still in AUTHORIZATION is logged out.
    let loginDeadline: ContinuousClock.Instant

    init(server: POP3Server, stream: any ByteStream, client: InternetAddress?, implicitTLS: Bool) {
        self.server = server
        self.stream = stream
        self.client = client
        self.implicitTLS = implicitTLS
        loginDeadline = started + server.configuration.loginTimeout
        var configuration = POP3Session.Configuration(serverName: server.configuration.serverName)
        configuration.offersSTLS = server.ports.tlsContext != nil
        configuration.allowsPlaintextAuthentication = server.configuration.plaintextAuthentication.allows(client)
        configuration.maximumLineLength = server.configuration.maximumLineLength
        configuration.maximumBadCommands = server.configuration.maximumBadCommands
        configuration.implementation = server.configuration.implementation
        session = POP3Session(configuration: configuration, overTLS: implicitTLS)
    }

    var configuration: POP3Server.Configuration { server.configuration }
    var limits: MailAccessLimits { server.configuration.limits }

    mutating func run() async {
        let table = configuration.sessions
        if table.addConnection(from: client, limits: limits) != nil {
            if !implicitTLS {
                try? await stream.write(
                    POP3Reply.error("too many connections, try again later", code: .temporarySystemError).encoded,
                    deadline: .now + .seconds(5))
            }
            await stream.close()
            report(.refused)
            return
        }
        drainSlot = server.drain.register(stream)
        let ending = await converse()
        if let lease {
            table.removeSession(userID: lease.userID, locksMaildrop: true)
            await lease.release()
        }
        await stream.close()
        server.drain.unregister(drainSlot)
        table.removeConnection(from: client)
        report(ending)
    }

    func report(_ ending: MailAccessEvent.Ending) {
        configuration.events?(.sessionEnded(.pop3, ending, overTLS: session.isTLSActive, duration: .now - started))
    }

    /// The session until it ends; the caller closes the stream.
    mutating func converse() async -> MailAccessEvent.Ending {
        if implicitTLS {
            guard let context = server.ports.tlsContext else { return .tlsFailed }
            do {
                stream = try await TLSStream.accept(over: stream, context: context, deadline: .now + limits.tlsHandshakeTimeout)
                server.drain.update(drainSlot, stream: stream)
            } catch {
                return .tlsFailed
            }
        }
        var actions = server.drain.isClosing ? session.shutDown() : session.start()
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
                    guard await write(&outgoing), let context = server.ports.tlsContext else { return .writeFailed }
                    do {
                        stream = try await TLSStream.accept(over: stream, context: context, deadline: .now + limits.tlsHandshakeTimeout)
                        server.drain.update(drainSlot, stream: stream)
                    } catch {
                        return .tlsFailed
                    }
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
                guard let read = try await server.drain.readBetweenCommands(drainSlot, from: stream, deadline: loginEndsFirst ? loginDeadline : waitEnds) else {
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
        let login = MailAccessLogin(
            accessProtocol: .pop3, authenticator: server.authenticator, limiter: configuration.loginRateLimiter,
            sessions: configuration.sessions, limits: limits, events: configuration.events)
        let folder = configuration.maildropFolder
        let outcome = await login.attempt(credentials, from: client, overTLS: session.isTLSActive, locksMaildrop: true) { lease in
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
