extension POP3Session {
    /// Answers complete lines from the buffer until one needs the caller (or none is left).
    mutating func processLines() -> [Action] {
        var actions: [Action] = []
        while !waitsForCaller, state != .closed, state != .update {
            guard let line = nextLine(&actions) else { break }
            actions += handle(line: line)
        }
        compactBuffer()
        return actions
    }

    /// The next complete line without its line end, or nil when none is complete. An
    /// overlong line is answered with `-ERR` (counted as a bad command) and skipped.
    mutating func nextLine(_ actions: inout [Action]) -> [UInt8]? {
        while true {
            let unread = buffer[readOffset...]
            let limit = configuration.maximumLineLength
            guard let newline = unread.firstIndex(of: 10) else {
                if unread.count >= limit || discardingLine {
                    // Keep nothing of a line that is already too long; answer it once.
                    if !discardingLine {
                        discardingLine = true
                        actions += refuseOverlongLine()
                    }
                    readOffset = buffer.count
                }
                return nil
            }
            readOffset = newline + 1
            if discardingLine {
                discardingLine = false
                continue
            }
            var end = newline
            if end > unread.startIndex, buffer[end - 1] == 13 { end -= 1 }
            if newline + 1 - unread.startIndex > limit {
                actions += refuseOverlongLine()
                if state == .closed { return nil }
                continue
            }
            return Array(buffer[unread.startIndex..<end])
        }
    }

    /// Answers an overlong line. One that was a SASL response ends the exchange (RFC 5034:
    /// the session is back in AUTHORIZATION), so the client's next line is read as a command.
    mutating func refuseOverlongLine() -> [Action] {
        guard pending == .saslResponse else { return refuseBadCommand(POP3Reply.error("line too long")) }
        pending = nil
        return refuseBadCommand(POP3Reply.error("authentication cancelled: response too long"))
    }

    /// Drops what was read once it is half the buffer (pipelined input stays linear).
    mutating func compactBuffer() {
        if readOffset == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.count <= 65_536)
            readOffset = 0
        } else if readOffset > 0 && readOffset * 2 >= buffer.count {
            buffer.removeFirst(readOffset)
            readOffset = 0
        }
    }

    /// Counts a bad command and answers it; past the limit, the session closes.
    mutating func refuseBadCommand(_ reply: POP3Reply) -> [Action] {
        badCommands += 1
        guard badCommands <= configuration.maximumBadCommands else {
            state = .closed
            return [.send(POP3Reply.error("too many bad commands, closing").encoded), .close]
        }
        return [.send(reply.encoded)]
    }

    /// One line: a SASL response when one is awaited, else a command.
    mutating func handle(line: [UInt8]) -> [Action] {
        if pending == .saslResponse {
            pending = nil
            return saslResponse(line)
        }
        switch POP3Command.parse(line) {
        case .success(let command):
            return handle(command)
        case .failure(.unknownCommand):
            return refuseBadCommand(POP3Reply.error("unknown command"))
        case .failure(.invalidArguments):
            return refuseBadCommand(POP3Reply.error("invalid arguments"))
        case .failure(.invalidBytes):
            return refuseBadCommand(POP3Reply.error("invalid characters in the command"))
        }
    }

    /// The response line to `+ ` in AUTH PLAIN: `*` cancels (RFC 5034 section 4).
    mutating func saslResponse(_ line: [UInt8]) -> [Action] {
        guard let text = String(validating: line, as: UTF8.self) else {
            return refuseBadCommand(POP3Reply.error("invalid characters in the response"))
        }
        if text == "*" { return [.send(POP3Reply.error("authentication cancelled").encoded)] }
        return plainResponse(text)
    }

    /// Decodes a PLAIN response and asks the caller to check it.
    mutating func plainResponse(_ base64: String) -> [Action] {
        switch SASLPlainMessage.credentials(fromBase64: base64) {
        case .success(let credentials):
            pending = .authentication
            return [.authenticate(credentials)]
        case .failure(.invalidBase64):
            return refuseBadCommand(POP3Reply.error("the response is not valid base64"))
        case .failure(.authorizationIdentityRefused):
            return [.send(POP3Reply.error("acting as another user is not supported", code: .authentication).encoded)]
        case .failure(.malformed):
            return refuseBadCommand(POP3Reply.error("malformed PLAIN response", code: .authentication))
        }
    }
}
