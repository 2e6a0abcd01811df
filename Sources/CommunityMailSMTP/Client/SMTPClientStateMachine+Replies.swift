extension SMTPClientStateMachine {
    /// The next step after `reply` in the current state.
    mutating func handle(_ reply: SMTPReply) -> [Action] {
        switch state {
        case .greeting:
            guard reply.code == 220 else {
                // 554 instead of 220: the server will not talk to us; RFC 5321 section 3.1
                // still has the client send QUIT.
                return [finish(SMTPError.rejected.with(message: "the SMTP server refused the connection", reply: reply), sendsQuit: true)]
            }
            state = .hello(extended: true)
            return [.send(command("EHLO \(configuration.heloName)"))]

        case .hello(let extended):
            if reply.code == 250 {
                capabilities = extended ? SMTPCapabilities(ehloReply: reply) : SMTPCapabilities()
                return afterHello()
            }
            if extended, reply.isPermanentFailure {
                // A server that does not know EHLO (RFC 5321 section 4.1.4): fall back to HELO.
                state = .hello(extended: false)
                return [.send(command("HELO \(configuration.heloName)"))]
            }
            return [finish(SMTPError.rejected.with(message: "the SMTP server refused EHLO", reply: reply), sendsQuit: true)]

        case .startTLS:
            guard reply.code == 220 else {
                return [finish(SMTPError.tlsUnavailable.with(message: "the SMTP server refused STARTTLS", reply: reply), sendsQuit: true)]
            }
            // Whatever came after the 220 came in plaintext, possibly from a man in the
            // middle (RFC 3207 section 4.2): none of it may be read as the TLS session's.
            parser.discardBuffered()
            state = .tlsHandshake
            return [.startTLS]

        case .authentication:
            if reply.code == 235 { return startTransaction() }
            // 334 asks for more than the initial response; PLAIN has nothing more to give,
            // and a QUIT now would be read as a SASL response.
            return [
                finish(
                    SMTPError.authenticationFailed.with(message: "the SMTP server did not accept AUTH PLAIN", reply: reply),
                    sendsQuit: reply.code != 334)
            ]

        case .transaction(var awaiting, let firstRefusal):
            let awaited = awaiting.removeFirst()
            return pipelined
                ? pipelinedStep(awaited, reply, awaiting: awaiting, firstRefusal: firstRefusal)
                : lockstepStep(awaited, reply)

        case .dataTermination:
            guard reply.code == 250 else {
                return [finish(SMTPError.rejected.with(message: "the SMTP server refused the message", reply: reply), sendsQuit: true)]
            }
            state = .finished
            return [.send(command("QUIT")), .delivered(reply)]

        case .tlsHandshake, .finished:
            return [finish(SMTPError.malformedReply.with(message: "the SMTP server sent a reply nobody asked for"), sendsQuit: false)]
        }
    }

    /// After a successful EHLO/HELO: STARTTLS, AUTH, or the transaction.
    mutating func afterHello() -> [Action] {
        let offersTLS = capabilities.contains("STARTTLS")
        if !isTLSActive, configuration.requiresTLS || (configuration.startsTLSWhenOffered && offersTLS) {
            guard offersTLS else {
                return [finish(SMTPError.tlsUnavailable.with(message: "the SMTP server does not offer STARTTLS and TLS is required"), sendsQuit: true)]
            }
            state = .startTLS
            return [.send(command("STARTTLS"))]
        }
        if let credentials = configuration.credentials {
            guard isTLSActive || configuration.allowsPlaintextAuthentication else {
                return [finish(SMTPError.insecureConfiguration.with(message: "credentials would go to the SMTP server without TLS"), sendsQuit: true)]
            }
            guard capabilities.authenticationMechanisms.contains("PLAIN") else {
                return [finish(SMTPError.extensionUnavailable.with(message: "the SMTP server does not offer AUTH PLAIN"), sendsQuit: true)]
            }
            state = .authentication
            return [.send(command("AUTH PLAIN \(credentials.plainInitialResponse)"))]
        }
        return startTransaction()
    }

    /// MAIL with the parameters the message needs, then RCPT and DATA: all at once with
    /// PIPELINING, otherwise one at a time.
    mutating func startTransaction() -> [Action] {
        var parameters: [String] = []
        if let limit = capabilities.maximumMessageSize, message.size > limit {
            return [finish(SMTPError.extensionUnavailable.with(message: "the message is larger than the SMTP server's SIZE limit"), sendsQuit: true)]
        }
        if capabilities.contains("SIZE") { parameters.append("SIZE=\(message.size)") }
        if message.needs8BitMIME {
            guard capabilities.contains("8BITMIME") else {
                return [finish(SMTPError.extensionUnavailable.with(message: "the message has 8-bit content and the SMTP server does not offer 8BITMIME"), sendsQuit: true)]
            }
            parameters.append("BODY=8BITMIME")
        }
        if message.needsSMTPUTF8 {
            guard capabilities.contains("SMTPUTF8") else {
                return [finish(SMTPError.extensionUnavailable.with(message: "the message needs SMTPUTF8 and the SMTP server does not offer it"), sendsQuit: true)]
            }
            parameters.append("SMTPUTF8")
        }
        let mail = command((["MAIL FROM:<\(message.sender)>"] + parameters).joined(separator: " "))
        pipelined = configuration.usesPipelining && capabilities.contains("PIPELINING")
        if pipelined {
            let recipients = message.recipients.flatMap { command("RCPT TO:<\($0)>") }
            state = .transaction(awaiting: [.mail] + message.recipients.map { _ in .recipient } + [.data], firstRefusal: nil)
            return [.send(mail + recipients + command("DATA"))]
        }
        nextRecipient = 0
        state = .transaction(awaiting: [.mail], firstRefusal: nil)
        return [.send(mail)]
    }

    /// Without PIPELINING: each reply decides the next command.
    mutating func lockstepStep(_ awaited: Awaited, _ reply: SMTPReply) -> [Action] {
        if let refusal = refusal(of: awaited, reply) { return [finish(refusal, sendsQuit: true)] }
        switch awaited {
        case .mail, .recipient:
            if nextRecipient < message.recipients.count {
                let recipient = message.recipients[nextRecipient]
                nextRecipient += 1
                state = .transaction(awaiting: [.recipient], firstRefusal: nil)
                return [.send(command("RCPT TO:<\(recipient)>"))]
            }
            state = .transaction(awaiting: [.data], firstRefusal: nil)
            return [.send(command("DATA"))]
        case .data:
            state = .dataTermination
            return [.send(message.transmittedData)]
        }
    }

    /// With PIPELINING (RFC 2920 section 3.1): every reply is read in order; a refused
    /// sender or recipient means no message goes, even if DATA got its 354.
    mutating func pipelinedStep(_ awaited: Awaited, _ reply: SMTPReply, awaiting: [Awaited], firstRefusal: SMTPError?) -> [Action] {
        let refusal = firstRefusal ?? refusal(of: awaited, reply)
        guard awaited == .data else {
            state = .transaction(awaiting: awaiting, firstRefusal: refusal)
            return []
        }
        if let refusal {
            // After a 354 the server reads everything as message text until a lone dot: a
            // QUIT would be text, so the stream is closed without the dot, which aborts the
            // transaction (RFC 5321 section 3.8).
            return [finish(refusal, sendsQuit: reply.code != 354)]
        }
        state = .dataTermination
        return [.send(message.transmittedData)]
    }

    /// The error for `reply` when it refuses `awaited`, or nil when it accepts it.
    func refusal(of awaited: Awaited, _ reply: SMTPReply) -> SMTPError? {
        switch awaited {
        case .mail:
            reply.code == 250 ? nil : SMTPError.rejected.with(message: "the SMTP server refused the sender", reply: reply)
        case .recipient:
            [250, 251].contains(reply.code) ? nil : SMTPError.rejected.with(message: "the SMTP server refused a recipient", reply: reply)
        case .data:
            reply.code == 354 ? nil : SMTPError.rejected.with(message: "the SMTP server refused DATA", reply: reply)
        }
    }
}
