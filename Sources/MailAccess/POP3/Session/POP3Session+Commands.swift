extension POP3Session {
    /// One parsed command, in the current state.
    mutating func handle(_ command: POP3Command) -> [Action] {
        switch command {
        case .capa:
            return [.send(POP3Reply.ok("capability list follows", lines: capabilities).encoded)]
        case .noop where state == .transaction:
            return [.send(POP3Reply.ok("").encoded)]
        case .quit:
            return quit()
        case .utf8:
            // RFC 6856: allowed in AUTHORIZATION only; names and passwords are UTF-8 anyway.
            guard state == .authorization else { return refuseBadCommand(POP3Reply.error("UTF8 is only allowed before login")) }
            utf8Enabled = true
            return [.send(POP3Reply.ok("UTF8 enabled").encoded)]
        default:
            return state == .authorization ? authorization(command) : transaction(command)
        }
    }

    /// The capabilities CAPA lists now (RFC 2449 section 6).
    var capabilities: [String] {
        var lines: [String] = []
        if state == .authorization {
            if offersSTLS { lines.append("STLS") }
            if mayAuthenticate {
                lines.append("USER")
                lines.append("SASL PLAIN")
            }
        }
        lines += ["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "UTF8"]
        if let implementation = configuration.implementation { lines.append("IMPLEMENTATION \(implementation)") }
        return lines
    }

    /// QUIT: in TRANSACTION the UPDATE state removes the messages marked deleted.
    mutating func quit() -> [Action] {
        quitReceived = true
        guard state == .transaction, let maildrop else {
            state = .closed
            return [.send(POP3Reply.ok("\(configuration.serverName) signing off").encoded), .close]
        }
        let uids = deleted.sorted().map { maildrop.messages[$0].uid }
        guard !uids.isEmpty else {
            state = .closed
            return [.send(POP3Reply.ok("\(configuration.serverName) signing off").encoded), .close]
        }
        state = .update
        pending = .update
        return [.update(deleting: uids)]
    }

    /// Commands before login.
    mutating func authorization(_ command: POP3Command) -> [Action] {
        switch command {
        case .stls:
            guard offersSTLS else {
                return refuseBadCommand(POP3Reply.error(isTLSActive ? "TLS is already active" : "STLS is not available"))
            }
            pending = .tls
            return [.send(POP3Reply.ok("begin TLS negotiation").encoded), .startTLS]
        case .user(let name):
            guard mayAuthenticate else {
                return [.send(POP3Reply.error("plaintext authentication is not allowed without TLS: use STLS", code: .authentication).encoded)]
            }
            userName = name
            return [.send(POP3Reply.ok("send PASS").encoded)]
        case .pass(let password):
            guard let name = userName else { return refuseBadCommand(POP3Reply.error("send USER first")) }
            guard mayAuthenticate else {
                return [.send(POP3Reply.error("plaintext authentication is not allowed without TLS: use STLS", code: .authentication).encoded)]
            }
            pending = .authentication
            return [.authenticate(MailAccessCredentials(login: name, password: password))]
        case .auth(nil, _):
            // Not in RFC 5034, but what clients such as fetchmail probe with (and Dovecot answers).
            return [.send(POP3Reply.ok("", lines: mayAuthenticate ? ["PLAIN"] : []).encoded)]
        case .auth(let mechanism?, let initialResponse):
            userName = nil
            guard mechanism == "PLAIN" else {
                return refuseBadCommand(POP3Reply.error("unsupported authentication mechanism"))
            }
            guard mayAuthenticate else {
                return [.send(POP3Reply.error("plaintext authentication is not allowed without TLS: use STLS", code: .authentication).encoded)]
            }
            guard let initialResponse else {
                pending = .saslResponse
                return [.send(Array("+ \r\n".utf8))]
            }
            return plainResponse(initialResponse)
        default:
            return refuseBadCommand(POP3Reply.error("not allowed before login"))
        }
    }

    /// Commands after login.
    mutating func transaction(_ command: POP3Command) -> [Action] {
        guard let maildrop else { return refuseBadCommand(POP3Reply.error("not logged in")) }
        switch command {
        case .stat:
            let visible = visibleMessages
            return [.send(POP3Reply.ok("\(visible.count) \(visible.reduce(0) { $0 + $1.message.size })").encoded)]
        case .list(nil):
            return [.send(POP3Reply.ok("\(visibleMessages.count) messages", lines: visibleMessages.map { "\($0.number) \($0.message.size)" }).encoded)]
        case .list(let number?):
            guard let message = visible(number) else { return noSuchMessage(number) }
            return [.send(POP3Reply.ok("\(number) \(message.size)").encoded)]
        case .uidl(nil):
            return [.send(POP3Reply.ok("unique-id listing follows", lines: visibleMessages.map { "\($0.number) \($0.message.uniqueID)" }).encoded)]
        case .uidl(let number?):
            guard let message = visible(number) else { return noSuchMessage(number) }
            return [.send(POP3Reply.ok("\(number) \(message.uniqueID)").encoded)]
        case .retr(let number):
            guard let message = visible(number) else { return noSuchMessage(number) }
            pending = .retrieval
            retrievalBodyLines = nil
            return [.retrieve(uid: message.uid, bodyLines: nil)]
        case .top(let number, let lines):
            guard let message = visible(number) else { return noSuchMessage(number) }
            pending = .retrieval
            retrievalBodyLines = lines
            return [.retrieve(uid: message.uid, bodyLines: lines)]
        case .dele(let number):
            guard visible(number) != nil else { return noSuchMessage(number) }
            deleted.insert(number - 1)
            return [.send(POP3Reply.ok("message \(number) deleted").encoded)]
        case .rset:
            deleted = []
            return [.send(POP3Reply.ok("maildrop has \(maildrop.messages.count) messages").encoded)]
        default:
            return refuseBadCommand(POP3Reply.error("not allowed after login"))
        }
    }

    /// Message `number` when it exists and is not marked deleted.
    func visible(_ number: Int) -> POP3Maildrop.Message? {
        guard let maildrop, number >= 1, number <= maildrop.messages.count, !deleted.contains(number - 1) else { return nil }
        return maildrop.messages[number - 1]
    }

    /// `-ERR` for a message number that is out of range or marked deleted (not a bad command).
    func noSuchMessage(_ number: Int) -> [Action] {
        let deletedAlready = number >= 1 && deleted.contains(number - 1)
        return [.send(POP3Reply.error(deletedAlready ? "message \(number) already deleted" : "no such message").encoded)]
    }
}
