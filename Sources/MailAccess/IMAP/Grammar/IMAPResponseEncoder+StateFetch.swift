import EncryptedMailbox

extension IMAPResponseEncoder {
    /// Appends the responses of `run`, each with its CRLF, to `bytes`: the same bytes as
    /// encoding each of `run.responses`, written straight from the message states.
    public func encode(_ run: IMAPStateFetchRun, into bytes: inout [UInt8]) {
        var output = IMAPOutput(utf8: utf8)
        swap(&output.bytes, &bytes)
        defer { swap(&output.bytes, &bytes) }
        for message in run.messages { output.stateFetch(message, items: run.items) }
    }
}

extension IMAPOutput {
    /// `* n FETCH (...)` CRLF of one message's state.
    mutating func stateFetch(_ message: IMAPStateFetchRun.Message, items: [IMAPStateFetchRun.Item]) {
        raw("* ")
        number(message.sequenceNumber)
        raw(" FETCH (")
        for (position, item) in items.enumerated() {
            if position > 0 { space() }
            switch item {
            case .uid:
                raw("UID ")
                number(message.state.uid)
            case .flags:
                raw("FLAGS (")
                IMAPFlagNames.append(message.state.flags, keywords: message.state.keywords, recent: message.recent, to: &bytes)
                raw(")")
            case .modSeq:
                raw("MODSEQ (")
                number(message.state.modSeq)
                raw(")")
            }
        }
        raw(")\r\n")
    }
}
