import CommunityMailSMTP
import CommunityMailSystem
import CommunityMailTLS

/// One client's session: reads bytes into `SMTPServerSession`, carries out its events
/// (replies, policy decisions, relaying, STARTTLS) and writes the replies.
struct ForwarderConnection {
    let server: ForwarderServer
    /// The stream in use: the accepted one, or the TLS stream over it after STARTTLS.
    var stream: any ByteStream
    var session: SMTPServerSession
    /// The final recipients of each address accepted since the last message (RCPT's
    /// decision, kept for DATA). Bounded: past the limit it is emptied, and DATA asks the
    /// policy again for what is missing.
    var expansions: [String: [String]] = [:]
    /// After a 354: the client is sending a message (the data timeout applies).
    var inData = false
    /// When the command being waited for must be complete: set when the wait starts, kept
    /// while bytes arrive without completing a command, so a client dripping one byte at a
    /// time (slowloris) cannot hold a session open by never finishing a line.
    var commandDeadline: ContinuousClock.Instant?
    /// This connection's share of the server's message memory budget.
    var reservedMessageBytes = 0
    /// The client's address, whose connections together have a share of that budget.
    let client: InternetAddress?
    /// When the message being received must be complete (set at 354): a client that sends
    /// a byte now and then, each within the data timeout, still cannot hold it for longer.
    var dataDeadline: ContinuousClock.Instant?
    /// The message just handed over did not fit the budget: it gets 452 4.3.1, not relayed.
    var messageRefusedForMemory = false
    /// For the session's ``ForwarderEvent``: when it began, what it carried, its last reply.
    let started = ContinuousClock.now
    var messages = 0
    var refusedRecipients = 0
    var lastReplyCode = 0
    /// This session's place in the server's ``ConnectionDrain``.
    var drainSlot = 0

    init(server: ForwarderServer, stream: any ByteStream, client: InternetAddress?) {
        self.server = server
        self.stream = stream
        self.client = client
        let configuration = server.configuration
        var session = SMTPServerSession.Configuration(serverName: configuration.serverName)
        session.maximumMessageSize = configuration.maximumMessageSize
        session.maximumRecipients = configuration.maximumRecipients
        session.maximumCommandLength = configuration.maximumCommandLength
        session.maximumErrors = configuration.maximumErrors
        session.maximumJunkCommands = configuration.maximumJunkCommands
        session.offersStartTLS = server.tlsContext != nil
        self.session = SMTPServerSession(configuration: session)
        // At MAIL, not after the whole message: a sender SRS cannot carry is refused before
        // the client sends (and we hold) its message.
        let srs = server.srs
        self.session.senderCheck = { sender in (try? srs.forward(sender)) == nil ? ForwarderReplies.senderNotRewritable : nil }
    }

    var configuration: ForwarderServer.Configuration { server.configuration }

    mutating func run() async {
        drainSlot = server.drain.register(stream)
        let converseEnding = await converse()
        // Cut off at the shutdown's grace deadline: the server's doing, whatever the
        // session saw (a closed stream, a failed write).
        let ending = server.drain.wasHardClosed && converseEnding != .quit ? .closedByServer : converseEnding
        await stream.close()
        server.drain.unregister(drainSlot)
        // Whatever way the session ended, its message bytes are gone now.
        _ = server.messageMemory.resize(&reservedMessageBytes, to: 0, for: client)
        configuration.events?(.sessionEnded(.init(
            ending: ending, messages: messages, refusedRecipients: refusedRecipients, duration: .now - started,
            overTLS: session.isTLSActive)))
    }

    /// The session until it ends; the caller closes the stream.
    mutating func converse() async -> ForwarderEvent.Ending {
        // A client accepted just as the server began to shut down gets 421 instead of 220.
        var events = server.drain.isClosing ? session.shutDown() : session.start()
        while true {
            var outgoing: [UInt8] = []
            var closing = false
            var startsTLS = false
            // By index: a read of pipelined commands can give thousands of events.
            var next = 0
            while next < events.count {
                let event = events[next]
                next += 1
                switch event {
                case .reply(let reply):
                    outgoing += reply.encoded
                    if inData, reply.code != 354, reply.code != 421 {
                        // The session refused the message itself at its final dot (size,
                        // bare CR or LF, memory): answered, so reported and counted too.
                        messages += 1
                        report(ForwardResult(reply: reply), size: session.messageOctetsReceived)
                    }
                    inData = reply.code == 354
                    if inData { dataDeadline = .now + configuration.wholeDataTimeout }
                    lastReplyCode = reply.code
                case .recipient(let address):
                    let decision = await server.policy.decide(address)
                    if decision.recipients == nil { refusedRecipients += 1 }
                    if let targets = decision.recipients {
                        if expansions.count >= 4 * configuration.maximumRecipients { expansions.removeAll() }
                        expansions[address] = targets
                    }
                    events += account(session.resolveRecipient(decision.reply))
                case .message(let message):
                    inData = false
                    // Replies so far go out before the relay's wait.
                    guard await write(&outgoing) else { return .writeFailed }
                    let result = messageRefusedForMemory ? ForwardResult(reply: SMTPServerSession.insufficientStorage) : await forward(message)
                    let reply = result.reply
                    messageRefusedForMemory = false
                    messages += 1
                    report(result, for: message)
                    expansions.removeAll()
                    if server.drain.isClosing {
                        // Shutting down: the message's reply, then 421; commands pipelined
                        // behind it are not started.
                        lastReplyCode = reply.code
                        outgoing += reply.encoded
                        events += session.shutDown()
                    } else {
                        events += account(session.resolveMessage(reply))
                    }
                case .startTLS:
                    startsTLS = true
                case .close:
                    closing = true
                }
            }
            events = []
            guard await write(&outgoing) else { return .writeFailed }
            if closing { return lastReplyCode == 221 ? .quit : .closedByServer }
            if startsTLS {
                guard let context = server.tlsContext else { return .closedByServer }
                do {
                    // Anything the client pipelined behind STARTTLS was discarded by the
                    // session; the handshake reads fresh bytes.
                    stream = try await TLSStream.accept(
                        over: stream, context: context, deadline: .now + configuration.tlsHandshakeTimeout)
                    server.drain.update(drainSlot, stream: stream)
                } catch {
                    return .tlsFailed  // accept closed the stream
                }
                events = account(session.tlsEstablished())
                continue
            }
            let bytes: [UInt8]
            do {
                // In DATA each arriving block restarts the wait (RFC 5321's data block
                // timeout); between commands the wait runs until a command completes.
                if inData {
                    commandDeadline = nil
                    let blockDeadline = ContinuousClock.now + configuration.dataTimeout
                    bytes = try await stream.read(maximumCount: 65_536, deadline: min(blockDeadline, dataDeadline ?? blockDeadline))
                } else {
                    let waitEnds = commandDeadline ?? .now + configuration.commandTimeout
                    commandDeadline = waitEnds
                    // Between commands the server's shutdown ends the wait: 421 4.3.2.
                    guard let read = try await server.drain.readBetweenCommands(drainSlot, from: stream, deadline: waitEnds) else {
                        events = session.shutDown()
                        continue
                    }
                    bytes = read
                }
            } catch where error == .timedOut("") {
                var reply = SMTPReply(code: 421, enhancedStatusCode: "4.4.2", text: "\(configuration.serverName) timeout, closing").encoded
                _ = await write(&reply)
                return .timedOut
            } catch {
                return .clientClosed
            }
            guard !bytes.isEmpty else { return .clientClosed }
            session.messageStorageAvailable = server.messageMemory.available(for: client)
            events = account(session.receive(bytes))
            // A line refused as no command at all (500: unknown, too long) does not restart
            // the wait, or a client could hold its slot with one such line per timeout.
            if events.contains(where: { if case .reply(let reply) = $0 { reply.code != 500 } else { true } }) { commandDeadline = nil }
        }
    }

    /// Brings this connection's reservation in the server's message memory budget to the
    /// bytes the session holds plus the message `events` hand over. When the budget has no
    /// room, the message is refused with 452 4.3.1 (the session drops what it holds and
    /// discards the rest; a message already complete is not relayed) and the reservation
    /// is given back.
    mutating func account(_ events: [SMTPServerSession.Event]) -> [SMTPServerSession.Event] {
        var held = session.messageBytesHeld
        var completes = false
        for case .message(let message) in events {
            held += message.content.count
            completes = true
        }
        if !server.messageMemory.resize(&reservedMessageBytes, to: held, for: client) {
            session.refuseMessage(SMTPServerSession.insufficientStorage)
            if completes { messageRefusedForMemory = true }
            _ = server.messageMemory.resize(&reservedMessageBytes, to: 0, for: client)
        }
        // For a MAIL among the bytes the session reads next (SIZE above it: 452 4.3.1).
        session.messageStorageAvailable = server.messageMemory.available(for: client)
        return events
    }

    /// Writes and empties `bytes`; false when the client is gone or too slow.
    func write(_ bytes: inout [UInt8]) async -> Bool {
        guard !bytes.isEmpty else { return true }
        defer { bytes = [] }
        do {
            try await stream.write(bytes, deadline: .now + configuration.writeTimeout)
            return true
        } catch {
            return false
        }
    }

    /// Hands the host a ``ForwarderEvent/message(_:)`` for `message`, answered as `result` says.
    func report(_ result: ForwardResult, for message: SMTPReceivedMessage) {
        let addresses = configuration.eventsCarryAddresses
            ? ForwarderEvent.Addresses(sender: message.sender, recipients: result.recipients) : nil
        report(result, size: message.content.count, addresses: addresses)
    }

    /// Hands the host a ``ForwarderEvent/message(_:)`` for a message of `size` octets.
    func report(_ result: ForwardResult, size: Int, addresses: ForwarderEvent.Addresses? = nil) {
        guard let events = configuration.events else { return }
        events(.message(.init(
            reply: result.reply, size: size, relayedRecipients: result.recipients.count,
            acceptedRecipients: result.accepted, relayDuration: result.relayDuration, overTLS: session.isTLSActive,
            authentication: result.authentication, addresses: addresses)))
    }

    /// What became of one message: the reply to DATA, and what was relayed.
    struct ForwardResult {
        var reply: SMTPReply
        /// The final recipients it was relayed to (none when refused before the relay).
        var recipients: [String] = []
        var accepted = 0
        var relayDuration: Duration?
        /// The authenticator's summary, when one ran.
        var authentication: String?
    }

    /// Checks, rewrites and relays one message.
    mutating func forward(_ message: SMTPReceivedMessage) async -> ForwardResult {
        guard ReceivedHeader.count(in: message.content) <= configuration.maximumReceivedFields else {
            return ForwardResult(reply: ForwarderReplies.loop)
        }
        var finals: [String] = []
        var seen: Set<String> = []
        var refusals: [SMTPReply] = []
        for recipient in message.recipients {
            let targets: [String]
            if let known = expansions[recipient] {
                targets = known
            } else {
                let decision = await server.policy.decide(recipient)
                guard let decided = decision.recipients else {
                    refusals.append(decision.reply)
                    continue
                }
                targets = decided
            }
            for target in targets where seen.insert(target).inserted { finals.append(target) }
        }
        guard !finals.isEmpty else { return ForwardResult(reply: RelayOutcome(replies: refusals).dataReply) }
        var authenticationFields: [UInt8] = []
        var content = message.content
        var authentication: String?
        if let authenticator = configuration.authenticator {
            let verdict = await authenticator.authenticate(
                InboundMessage(clientAddress: client, heloName: session.clientName ?? "", sender: message.sender, content: message.content))
            if let refusal = verdict.refusal { return ForwardResult(reply: refusal, authentication: verdict.summary) }
            authenticationFields = verdict.fieldsToPrepend
            if let replacement = verdict.replacementContent { content = replacement }
            authentication = verdict.summary
        }
        let sender: String
        do {
            sender = try server.srs.forward(message.sender)
        } catch {
            return ForwardResult(reply: ForwarderReplies.senderNotRewritable, authentication: authentication)
        }
        let received = ReceivedHeader.field(
            clientName: session.clientName, serverName: configuration.serverName,
            protocolName: ReceivedHeader.protocolName(
                extended: session.greetedWithEHLO, overTLS: session.isTLSActive, smtputf8: message.usesSMTPUTF8),
            date: configuration.clock.now())
        let envelope = RelayEnvelope(
            sender: sender, recipients: finals, content: received + authenticationFields + content, usesSMTPUTF8: message.usesSMTPUTF8)
        let relayStarted = ContinuousClock.now
        let server = server
        let clientSender = message.sender, clientContent = message.content
        let outcome = await server.drain.runUntilHardClose(drainSlot) { [refusals] in
            await server.relayUnlessDelivered(envelope, clientSender: clientSender, clientContent: clientContent, otherReplies: refusals)
        }
        return ForwardResult(
            reply: RelayOutcome(replies: outcome.replies + refusals).dataReply, recipients: finals,
            accepted: outcome.replies.filter(\.isPositive).count, relayDuration: .now - relayStarted, authentication: authentication)
    }
}

/// The forwarder's DATA refusals, built once.
enum ForwarderReplies {
    /// RFC 5321 section 6.3: too many trace fields is a loop; RFC 3463 5.4.6.
    static let loop = SMTPReply(code: 554, enhancedStatusCode: "5.4.6", text: "Too many Received fields: mail loop")
    /// A sender SRS cannot carry (quoted local part, address literal, malformed).
    static let senderNotRewritable = SMTPReply(code: 553, enhancedStatusCode: "5.1.7", text: "The sender address cannot be forwarded")
}
