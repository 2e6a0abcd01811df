extension SMTPServerSession {
    /// Reads message content up to the CRLF `.` CRLF that ends it, unstuffing dots; nil
    /// when more bytes are needed. At the end: the message for the host, or the refusal
    /// (bare CR or LF, too large).
    mutating func consumeData() -> Event? {
        let carriageReturn = UInt8(ascii: "\r"), lineFeed = UInt8(ascii: "\n"), dot = UInt8(ascii: ".")
        var index = bufferStart
        defer { bufferStart = index }
        while index < buffer.count {
            let byte = buffer[index]
            if byte == carriageReturn {
                // A CR is only a line end with its LF; wait until the next byte is here.
                guard index + 1 < buffer.count else { return nil }
                if buffer[index + 1] != lineFeed {
                    refuseBareLineEnd()
                    append([byte][...])
                    atLineStart = false
                    index += 1
                    continue
                }
                index += 2
                append([carriageReturn, lineFeed][...])
                atLineStart = true
                continue
            }
            if byte == lineFeed {
                refuseBareLineEnd()
                append([byte][...])
                atLineStart = false
                index += 1
                continue
            }
            if atLineStart, byte == dot {
                // Need the next two bytes to tell the end (".\r\n") from a stuffed dot.
                guard index + 2 < buffer.count else {
                    if index + 1 < buffer.count, buffer[index + 1] != carriageReturn {
                        index += 1  // a stuffed dot: drop it
                        atLineStart = false
                        continue
                    }
                    return nil
                }
                if buffer[index + 1] == carriageReturn, buffer[index + 2] == lineFeed {
                    index += 3
                    return finishData()
                }
                index += 1  // RFC 5321 section 4.5.2: the first dot of a line goes
                atLineStart = false
                continue
            }
            // Ordinary bytes up to the next CR or LF go in one piece.
            let end = buffer[index...].firstIndex { $0 == carriageReturn || $0 == lineFeed } ?? buffer.count
            append(buffer[index..<end])
            atLineStart = false
            index = end
        }
        return nil
    }

    /// Adds content, unless the message is already refused or over the size limit.
    mutating func append(_ bytes: ArraySlice<UInt8>) {
        messageOctetsReceived += bytes.count
        guard dataRefusal == nil else { return }
        guard content.count + bytes.count <= configuration.maximumMessageSize else {
            content = []
            dataRefusal = SMTPReply(552, "5.3.4 message size exceeds the limit")
            return
        }
        content += bytes
    }

    mutating func refuseBareLineEnd() {
        guard dataRefusal == nil else { return }
        content = []
        dataRefusal = SMTPReply(550, "5.6.11 bare CR or LF in the message is not allowed")
    }

    /// The end of DATA: the message goes to the host, or the refusal to the client.
    mutating func finishData() -> Event {
        let message = SMTPReceivedMessage(
            sender: sender ?? "", recipients: recipients, content: content, usesSMTPUTF8: usesSMTPUTF8)
        let refusal = dataRefusal
        resetTransaction()
        if let refusal {
            phase = .ready
            return .reply(refusal)
        }
        // A client that carries mail may reset and probe again (connection caching does).
        junkCommands = 0
        phase = .awaitingMessageDecision
        return .message(message)
    }
}
