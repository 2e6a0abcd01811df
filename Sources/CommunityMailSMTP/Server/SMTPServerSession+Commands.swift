extension SMTPServerSession {
    /// The next command line without its CRLF, or nil when none is complete. A line over
    /// the limit is answered (500 5.5.6) and skipped up to its end.
    mutating func nextCommandLine(_ events: inout [Event]) -> [UInt8]? {
        while true {
            guard let newline = buffer[bufferStart...].firstIndex(of: UInt8(ascii: "\n")) else {
                if buffer.count - bufferStart >= configuration.maximumCommandLength {
                    discardBuffer()
                    if !skippingLongLine { events += refuse(500, "5.5.6 line too long") }
                    skippingLongLine = true
                }
                return nil
            }
            var line = Array(buffer[bufferStart..<newline])
            // Consumed bytes stay until process() compacts once: removing each line from
            // the front would move the rest of a 64 KiB read of pipelined commands every time.
            bufferStart = newline + 1
            if skippingLongLine {
                skippingLongLine = false
                continue
            }
            guard line.count + 1 <= configuration.maximumCommandLength else {
                events += refuse(500, "5.5.6 line too long")
                if phase == .closed { return nil }
                continue
            }
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            return line
        }
    }

    /// The reply to one command line.
    mutating func handle(command line: [UInt8]) -> [Event] {
        guard line.allSatisfy({ $0 != UInt8(ascii: "\r") && $0 != 0 }) else { return refuse(500, "5.5.2 syntax error") }
        let text = String(decoding: line, as: UTF8.self)
        let verb = text.prefix { $0 != " " }.uppercased()
        let argument = text.dropFirst(verb.count).drop { $0 == " " }
        switch verb {
        case "EHLO", "HELO":
            guard !argument.isEmpty, !argument.contains(" ") else { return refuse(501, "5.5.4 \(verb) needs a domain or address literal") }
            clientName = String(argument)
            greetedWithEHLO = verb == "EHLO"
            resetTransaction()
            phase = .ready
            guard verb == "EHLO" else { return [.reply(SMTPReply(250, configuration.serverName))] }
            var lines = [
                "\(configuration.serverName) greets \(argument)", "PIPELINING", "SIZE \(configuration.maximumMessageSize)",
                "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES",
            ]
            if configuration.offersStartTLS && !isTLSActive { lines.append("STARTTLS") }
            return [.reply(SMTPReply(code: 250, lines: lines))]
        case "NOOP":
            return junk(SMTPReply(250, "2.0.0 OK"))
        case "RSET":
            resetTransaction()
            return junk(SMTPReply(250, "2.0.0 OK"))
        case "VRFY":
            return junk(SMTPReply(252, "2.5.0 cannot VRFY, but will take the message"))
        case "EXPN":
            // RFC 5321 section 7.3: a list's members are nobody else's business.
            return junk(SMTPReply(502, "5.5.1 EXPN not available"))
        case "HELP":
            return junk(SMTPReply(214, "2.0.0 EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY\(configuration.offersStartTLS ? " STARTTLS" : "")"))
        case "QUIT":
            phase = .closed
            return [.reply(SMTPReply(221, "2.0.0 \(configuration.serverName) closing")), .close]
        case "STARTTLS":
            guard configuration.offersStartTLS, !isTLSActive else { return refuse(502, "5.5.1 STARTTLS not available") }
            guard argument.isEmpty else { return refuse(501, "5.5.4 STARTTLS takes no parameters") }
            // Commands pipelined behind STARTTLS came in plaintext: RFC 3207 section 4.2
            // says to discard them, or an attacker's injected commands would run under TLS.
            discardBuffer()
            phase = .tlsHandshake
            return [.reply(SMTPReply(220, "2.0.0 ready to start TLS")), .startTLS]
        case "MAIL", "RCPT", "DATA":
            guard phase == .ready else { return refuse(503, "5.5.1 say EHLO first") }
            if verb == "MAIL" { return mail(argument) }
            if verb == "RCPT" { return recipient(argument) }
            return data(argument)
        default:
            return refuse(500, "5.5.2 command not recognized")
        }
    }

    mutating func mail(_ argument: Substring) -> [Event] {
        guard sender == nil else { return refuse(503, "5.5.1 a transaction is already open") }
        guard let (path, parameters) = Self.path(after: "FROM:", in: argument), path.isEmpty || SMTPMessage.isUsableInEnvelope(path)
        else { return refuse(501, "5.1.7 bad sender address syntax") }
        var smtputf8 = false
        for parameter in parameters {
            let (key, value) = (parameter.prefix { $0 != "=" }.uppercased(), parameter.drop { $0 != "=" }.dropFirst())
            switch key {
            case "SIZE":
                guard let size = Int(value), size >= 0 else { return refuse(501, "5.5.4 bad SIZE") }
                if size > configuration.maximumMessageSize {
                    return [.reply(SMTPReply(552, "5.3.4 message size exceeds the limit"))]
                }
                // RFC 1870 section 6.1: room lacking for now is temporary.
                if let available = messageStorageAvailable, size > available {
                    return [.reply(Self.insufficientStorage)]
                }
            case "BODY":
                guard ["7BIT", "8BITMIME"].contains(value.uppercased()) else { return refuse(501, "5.5.4 bad BODY") }
            case "SMTPUTF8":
                guard value.isEmpty else { return refuse(501, "5.5.4 SMTPUTF8 takes no value") }
                smtputf8 = true
            default:
                return refuse(555, "5.5.4 unsupported MAIL parameter")
            }
        }
        if !smtputf8, !path.utf8.allSatisfy({ $0 < 0x80 }) { return refuse(553, "5.6.7 non-ASCII address without SMTPUTF8") }
        if let refusal = senderCheck?(path) { return junk(refusal) }
        sender = path
        usesSMTPUTF8 = smtputf8
        return [.reply(SMTPReply(250, "2.1.0 OK"))]
    }

    mutating func recipient(_ argument: Substring) -> [Event] {
        guard sender != nil else { return refuse(503, "5.5.1 MAIL first") }
        guard recipients.count < configuration.maximumRecipients else {
            // RFC 5321 section 4.5.3.1.10: the client sends DATA for those accepted and the
            // rest later, so these are not errors; only past Postfix's overshoot limit (a
            // client that never stops) do they count.
            recipientOvershoot += 1
            guard recipientOvershoot > Self.recipientOvershootLimit else { return [.reply(SMTPReply(452, "4.5.3 too many recipients"))] }
            return refuse(452, "4.5.3 too many recipients")
        }
        // RFC 5321 section 4.5.1: a bare "Postmaster" (any case) must be accepted.
        guard let (path, parameters) = Self.path(after: "TO:", in: argument),
            SMTPMessage.isUsableInEnvelope(path) || path.lowercased() == "postmaster"
        else {
            return refuse(501, "5.1.3 bad recipient address syntax")
        }
        guard parameters.isEmpty else { return refuse(555, "5.5.4 unsupported RCPT parameter") }
        if !usesSMTPUTF8, !path.utf8.allSatisfy({ $0 < 0x80 }) { return refuse(553, "5.6.7 non-ASCII address without SMTPUTF8") }
        pendingRecipient = path
        phase = .awaitingRecipientDecision
        return [.recipient(path)]
    }

    mutating func data(_ argument: Substring) -> [Event] {
        guard argument.isEmpty else { return refuse(501, "5.5.4 DATA takes no parameters") }
        guard sender != nil else { return refuse(503, "5.5.1 MAIL first") }
        guard !recipients.isEmpty else { return refuse(554, "5.5.1 no valid recipients") }
        phase = .data
        content = []
        messageOctetsReceived = 0
        dataRefusal = nil
        atLineStart = true
        return [.reply(SMTPReply(354, "end data with <CR><LF>.<CR><LF>"))]
    }

    /// `<path>` and the parameters after `prefix` (`FROM:`, `TO:`), or nil when the
    /// argument does not have that shape. One space after the colon is tolerated.
    static func path(after prefix: String, in argument: Substring) -> (String, [Substring])? {
        guard argument.uppercased().hasPrefix(prefix) else { return nil }
        var rest = argument.dropFirst(prefix.count)
        if rest.first == " " { rest = rest.dropFirst() }
        guard rest.first == "<", let close = rest.firstIndex(of: ">") else { return nil }
        let path = String(rest[rest.index(after: rest.startIndex)..<close])
        let after = rest[rest.index(after: close)...]
        guard after.isEmpty || after.first == " " else { return nil }
        return (path, after.split(separator: " "))
    }
}
