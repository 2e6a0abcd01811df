import CommunityMailSystem

/// One client's IMAP connection: reads bytes into ``IMAPCommandParser``, lets
/// ``IMAPConnectionState`` answer what the connection owns (greeting, capabilities, TLS,
/// login, IDLE), hands every other command of a logged-in client to its ``IMAPSession``, and
/// writes responses through an ``IMAPConnectionWriter``, flushed once per batch of commands.
/// Its life around that (limits, drain, TLS, lease, report) is
/// ``MailAccessConnectionLifecycle``'s.
struct IMAPConnection: MailAccessConnection {
    let server: IMAPServer
    var lifecycle: MailAccessConnectionLifecycle
    /// The stream in use: the accepted one, or the TLS stream over it (the writer follows).
    var stream: any ByteStream {
        didSet { writer.replaceStream(stream) }
    }
    var state: IMAPConnectionState
    var parser: IMAPCommandParser
    let writer: IMAPConnectionWriter
    /// The logged-in member's hold on their mailbox.
    var lease: MailboxLease?
    /// The authenticated and selected states, after login.
    var session: IMAPSession?
    /// When the command being waited for must be complete: kept while bytes arrive without
    /// completing a command, so a client dripping bytes cannot hold the session forever.
    var commandDeadline: ContinuousClock.Instant?
    /// How the session ends when the state asks to close.
    var closing = MailAccessEvent.Ending.closedByServer
    /// When a client that has not logged in is logged out.
    var loginDeadline: ContinuousClock.Instant { lifecycle.started + configuration.loginTimeout }

    init(server: IMAPServer, stream: any ByteStream, client: InternetAddress?, implicitTLS: Bool) {
        self.server = server
        self.stream = stream
        let configuration = server.configuration
        lifecycle = MailAccessConnectionLifecycle(
            .imap, configuration: configuration, authenticator: server.authenticator, ports: server.ports,
            client: client, implicitTLS: implicitTLS)
        var stateConfiguration = IMAPConnectionState.Configuration()
        stateConfiguration.serverName = configuration.serverName
        stateConfiguration.offersSTARTTLS = server.ports.tlsContext != nil
        stateConfiguration.allowsPlaintextAuthentication = configuration.plaintextAuthentication.allows(client)
        stateConfiguration.nonSynchronizingLiterals = configuration.parser.nonSynchronizingLiterals
        stateConfiguration.appendLimit = configuration.parser.maximumAppendSize
        stateConfiguration.implementation = configuration.implementation
        state = IMAPConnectionState(configuration: stateConfiguration, overTLS: implicitTLS)
        parser = IMAPCommandParser(configuration: Self.parserBeforeLogin(configuration.parser))
        writer = IMAPConnectionWriter(stream: stream, writeTimeout: configuration.limits.writeTimeout)
    }

    var configuration: IMAPServer.Configuration { server.configuration }

    /// The parser's limits before login: nobody unknown may make the server hold more than
    /// a few kilobytes (8,192-octet lines and literals, 16,384-octet commands, 64 items
    /// per command, no APPEND literal); the configured ones apply from the login on.
    static func parserBeforeLogin(_ configured: IMAPCommandParser.Configuration) -> IMAPCommandParser.Configuration {
        var limits = configured
        limits.maximumLineLength = min(configured.maximumLineLength, 8_192)
        limits.maximumLiteralSize = min(configured.maximumLiteralSize, 8_192)
        limits.maximumCommandSize = min(configured.maximumCommandSize, 16_384)
        limits.maximumAppendSize = 0
        limits.maximumAppendTotalSize = 0
        limits.maximumItems = min(configured.maximumItems, 64)
        return limits
    }
    var limits: MailAccessLimits { lifecycle.limits }

    static var busyReply: [UInt8] { IMAPConnectionState.tooManyConnections() }
    static var locksMaildrop: Bool { false }
    var isTLSActive: Bool { state.isTLSActive }

    /// Stops the member's ``IMAPSession`` (its wait for the mailbox's events).
    func endSession() async {
        if let session { await session.close() }
    }

    /// The session until it ends; ``MailAccessConnection/run()`` closes the stream.
    mutating func converse() async -> MailAccessEvent.Ending {
        guard await startImplicitTLS() else { return .tlsFailed }
        var actions = lifecycle.isClosing ? state.shutDown() : state.greeting()
        while true {
            if let ending = await perform(actions) { return ending }
            actions = []
            if writer.consecutiveBadReplies >= configuration.maximumBadCommands {
                actions = state.tooManyBadCommands()
                continue
            }
            // A command already begun (an APPEND mid-literal) is finished first; the drain's
            // grace period bounds how long that may take.
            if lifecycle.isClosing && !parser.isCommandInProgress {
                actions = state.shutDown()
                continue
            }
            if let event = parser.next() {
                actions = handle(event)
                continue
            }
            // Everything parsed is answered: send it, then wait for the client.
            do {
                try await writer.flush()
            } catch {
                return .writeFailed
            }
            let bytes: [UInt8]
            var loginEndsFirst = false
            do {
                // Before login the login deadline, counted from the connection, may end the
                // wait first: commands do not restart it (as Dovecot's login process).
                var waitEnds = commandDeadline ?? .now + limits.idleTimeout
                loginEndsFirst = !state.isAuthenticated && loginDeadline < waitEnds
                if loginEndsFirst { waitEnds = loginDeadline }
                if parser.isCommandInProgress {
                    // Mid-command the shutdown waits for the command rather than cut it.
                    bytes = try await stream.read(maximumCount: 65_536, deadline: waitEnds)
                } else {
                    guard let read = try await lifecycle.readBetweenCommands(from: stream, deadline: waitEnds) else {
                        actions = state.shutDown()
                        continue
                    }
                    bytes = read
                }
                // The command's own deadline starts at its first byte, not when the wait for
                // it began; only a command read whole clears it (refused junk does not).
                if commandDeadline == nil { commandDeadline = .now + limits.idleTimeout }
            } catch where error == .timedOut("") {
                closing = loginEndsFirst ? .loginTimedOut : .timedOut
                actions = loginEndsFirst ? state.loginTimedOut() : state.timedOut()
                continue
            } catch {
                return .clientClosed
            }
            guard !bytes.isEmpty else { return .clientClosed }
            parser.append(bytes)
        }
    }

    /// The actions for one parser event.
    mutating func handle(_ event: IMAPParserEvent) -> [IMAPConnectionState.Action] {
        switch event {
        case .command(let command):
            // Only a command read whole restarts the autologout wait (refused junk does not).
            commandDeadline = nil
            if command.kind == .logout { closing = .loggedOut }
            return state.receive(command)
        case .continuationRequest:
            // A command that can only be refused gets its refusal now: asking for the literal
            // would make a client send, say, a password in plaintext only to be refused.
            if let refusal = state.refusalBeforeLiteral(tag: parser.pendingCommandTag, verb: parser.pendingCommandVerb) {
                parser.refusePendingLiteral()
                return refusal
            }
            return [.respond(.continuation(.text("Ready for literal data")))]
        case .authenticationResponse(let response):
            // The exchange is over: the login's deadline must not outlive it.
            commandDeadline = nil
            return state.receive(authenticationResponse: response)
        case .idleDone:
            // Only expected inside IDLE, which reads its own DONE.
            return []
        case .failure(let failure):
            if state.pendingAuthenticationTag != nil, failure.disposition == .rejectCommand {
                return state.authenticationResponseInvalid()
            }
            var actions: [IMAPConnectionState.Action] = [.respond(failure.response)]
            if failure.disposition == .closeConnection { actions += state.framingLost() }
            return actions
        }
    }

    /// Carries out `actions` in order (more may follow from outcomes); the ending when the
    /// connection must close.
    mutating func perform(_ actions: [IMAPConnectionState.Action]) async -> MailAccessEvent.Ending? {
        var actions = actions
        var next = 0
        // By index: more actions are appended as outcomes come back.
        while next < actions.count {
            let action = actions[next]
            next += 1
            switch action {
            case .respond(let response):
                do {
                    try await writer.write(response)
                } catch {
                    return .writeFailed
                }
            case .startTLS:
                do {
                    try await writer.flush()
                } catch {
                    return .writeFailed
                }
                // Bytes pipelined after STARTTLS came in plaintext: never run them under TLS.
                parser.discardBufferedInput()
                guard await startTLS() else { return .tlsFailed }
                state.tlsEstablished()
            case .authenticate(let tag, let credentials):
                let outcome = await authenticate(credentials)
                if outcome == .succeeded {
                    parser.configuration = configuration.parser
                    // From now on the autologout time applies, not the login's.
                    commandDeadline = nil
                }
                actions += state.authenticationFinished(tag: tag, outcome)
            case .awaitAuthenticationResponse:
                parser.expectAuthenticationResponse()
            case .idle(let tag):
                if let ending = await idle(tag: tag) { return ending }
            case .forward(let command):
                guard let session else { return .closedByServer }
                do {
                    try await session.handle(command, writer: writer)
                } catch {
                    return .writeFailed
                }
                let utf8 = await session.utf8Enabled
                parser.utf8MailboxNames = utf8
                writer.setUTF8(utf8)
            case .close:
                do {
                    try await writer.flush()
                } catch {
                    return .writeFailed
                }
                return closing
            }
        }
        return nil
    }
}
