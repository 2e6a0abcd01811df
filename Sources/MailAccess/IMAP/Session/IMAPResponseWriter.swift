/// Where an IMAP session sends its responses, one at a time and in order: the server's
/// connection (encoding each with ``IMAPResponseEncoder`` and writing it to the client) or,
/// in tests, a collector. Streaming them lets a FETCH of many large messages go out as it
/// is produced instead of being held whole in memory.
public protocol IMAPResponseWriter: Sendable {
    /// Sends `response`; throws when the client cannot be written to any more, which ends
    /// the command.
    func write(_ response: IMAPResponse) async throws

    /// Sends `responses` in order, as many calls of ``write(_:)`` would: a session answering
    /// a FETCH of many small items (`UID FETCH 1:* (FLAGS)`) hands them over in runs, one
    /// call (and one hop off the session's actor) per run rather than per message.
    func write(contentsOf responses: [IMAPResponse]) async throws

    /// Sends the responses of `run` in order, as ``write(contentsOf:)`` of `run.responses`
    /// would: a writer that encodes may write them straight from the message states.
    func write(_ run: IMAPStateFetchRun) async throws
}

extension IMAPResponseWriter {
    /// Writes each response with ``write(_:)``.
    public func write(contentsOf responses: [IMAPResponse]) async throws {
        for response in responses { try await write(response) }
    }

    /// Writes `run.responses` with ``write(contentsOf:)``.
    public func write(_ run: IMAPStateFetchRun) async throws {
        try await write(contentsOf: run.responses)
    }
}
