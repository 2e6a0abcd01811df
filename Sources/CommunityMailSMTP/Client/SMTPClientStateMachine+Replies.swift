extension SMTPClientStateMachine {
    /// The next step after `reply` in the current state.
    mutating func handle(_ reply: SMTPReply) -> [Action] {
        switch state {
        case .greeting:
            guard reply.code == 220 else {
                // 554 instead of 220: the server will not talk to us; RFC 5321 section 3.1
                // still has the client send QUIT.
                return [finish(SMTPError.rejected.with(message: "the SMTP server refused the connection", reply: reply, refusedSession: true), sendsQuit: true)]
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
            return [finish(SMTPError.rejected.with(message: "the SMTP server refused EHLO", reply: reply, refusedSession: true), sendsQuit: true)]

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

        case .transaction(var awaiting):
            let awaited = awaiting.removeFirst()
            return transactionStep(awaited, reply, awaiting: awaiting)

        case .dataInitiation:
            if reply.code == 354 {
                state = .dataTermination
                return [.send(message.transmittedData)]
            }
            // Only a refusal may stand for the message's reply here: a 2xx to DATA (a broken
            // server, or a stray line) would count the message delivered with no byte sent.
            guard reply.isTransientFailure || reply.isPermanentFailure else {
                return [finish(SMTPError.malformedReply.with(message: "the SMTP server answered DATA without 354", reply: reply), sendsQuit: true)]
            }
            return end(withDataReply: reply, refusal: "the SMTP server refused DATA")

        case .dataTermination:
            return end(withDataReply: reply, refusal: "the SMTP server refused the message")

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
                return [finish(SMTPError.authenticationFailed.with(message: "the SMTP server does not offer AUTH PLAIN"), sendsQuit: true)]
            }
            state = .authentication
            return [.send(command("AUTH PLAIN \(credentials.plainInitialResponse)"))]
        }
        return startTransaction()
    }

    /// MAIL with the parameters the message needs, then a RCPT per recipient: all in one
    /// write with PIPELINING (RFC 2920 section 3.1), otherwise one at a time.
    mutating func startTransaction() -> [Action] {
        var parameters: [String] = []
        if let limit = capabilities.maximumMessageSize, message.size > limit {
            return [finish(
                SMTPError.extensionUnavailable.with(message: "the message is larger than the SMTP server's SIZE limit", enhancedStatusCode: "5.3.4"),
                sendsQuit: true)]
        }
        if capabilities.contains("SIZE") { parameters.append("SIZE=\(message.size)") }
        if message.needs8BitMIME {
            guard capabilities.contains("8BITMIME") else {
                return [finish(
                    SMTPError.extensionUnavailable.with(
                        message: "the message has 8-bit content and the SMTP server does not offer 8BITMIME", enhancedStatusCode: "5.6.3"),
                    sendsQuit: true)]
            }
            parameters.append("BODY=8BITMIME")
        }
        if message.needsSMTPUTF8 {
            guard capabilities.contains("SMTPUTF8") else {
                return [finish(
                    SMTPError.extensionUnavailable.with(message: "the message needs SMTPUTF8 and the SMTP server does not offer it", enhancedStatusCode: "5.6.7"),
                    sendsQuit: true)]
            }
            parameters.append("SMTPUTF8")
        }
        let mail = command((["MAIL FROM:<\(message.sender)>"] + parameters).joined(separator: " "))
        pipelined = configuration.usesPipelining && capabilities.contains("PIPELINING")
        senderRefusal = nil
        recipientReplies = []
        if pipelined {
            let recipients = message.recipients.flatMap { command("RCPT TO:<\($0)>") }
            state = .transaction(awaiting: [.mail] + message.recipients.map { _ in .recipient })
            return [.send(mail + recipients)]
        }
        state = .transaction(awaiting: [.mail])
        return [.send(mail)]
    }

    /// The reply to MAIL or to a RCPT: recorded; then the next RCPT (without PIPELINING),
    /// or, once every recipient has its reply, DATA or the end.
    mutating func transactionStep(_ awaited: Awaited, _ reply: SMTPReply, awaiting: [Awaited]) -> [Action] {
        switch awaited {
        case .mail:
            if reply.code != 250 {
                senderRefusal = SMTPError.rejected.with(message: "the SMTP server refused the sender", reply: reply)
                // Without PIPELINING no RCPT went: none will.
                if !pipelined { return [finish(senderRefusal ?? .rejected, sendsQuit: true)] }
            }
        case .recipient:
            recipientReplies.append(reply)
            // All or nothing and one already refused: the RCPTs left would change nothing.
            if !pipelined, configuration.requiresEveryRecipient, !SMTPDeliveryReport.isAcceptance(reply) { return afterRecipients() }
        }
        if !awaiting.isEmpty {
            state = .transaction(awaiting: awaiting)
            return []
        }
        if !pipelined, recipientReplies.count < message.recipients.count {
            state = .transaction(awaiting: [.recipient])
            return [.send(command("RCPT TO:<\(message.recipients[recipientReplies.count])>"))]
        }
        return afterRecipients()
    }

    /// Every RCPT has its reply: DATA when the message may go, else QUIT with the refusal
    /// (or, when refusals are reported rather than failed, with the report).
    mutating func afterRecipients() -> [Action] {
        if let senderRefusal { return [finish(senderRefusal, sendsQuit: true)] }
        let firstRefusal = recipientReplies.first { !SMTPDeliveryReport.isAcceptance($0) }
        if configuration.requiresEveryRecipient, let firstRefusal {
            return [finish(SMTPError.rejected.with(message: "the SMTP server refused a recipient", reply: firstRefusal), sendsQuit: true)]
        }
        guard recipientReplies.contains(where: SMTPDeliveryReport.isAcceptance) else {
            state = .finished
            return [.send(command("QUIT")), .delivered(SMTPDeliveryReport(recipientReplies: recipientReplies, dataReply: nil))]
        }
        state = .dataInitiation
        return [.send(command("DATA"))]
    }

    /// The reply to DATA (other than 354) or to the final dot ends the transaction: a
    /// failure when every recipient was required, else the report.
    mutating func end(withDataReply reply: SMTPReply, refusal: String) -> [Action] {
        if configuration.requiresEveryRecipient, reply.code != 250 {
            return [finish(SMTPError.rejected.with(message: refusal, reply: reply), sendsQuit: true)]
        }
        state = .finished
        return [.send(command("QUIT")), .delivered(SMTPDeliveryReport(recipientReplies: recipientReplies, dataReply: reply))]
    }
}
