/// FETCH responses gathered for one call of ``IMAPResponseWriter/write(contentsOf:)``: a
/// FETCH of many bodies hands them to the writer in runs, one hop off the session's actor
/// per run rather than per message, while a run holds little more than the writer's own
/// buffer (``maximumBytes`` of message bytes, or ``maximumCount`` responses).
struct IMAPFetchRun {
    /// Message bytes past which the run goes to the writer: the connection writer's own
    /// flush threshold, so a run costs about one socket write.
    static let maximumBytes = 256 * 1024
    /// Responses past which the run goes to the writer (messages without content).
    static let maximumCount = 1_024

    private(set) var responses: [IMAPResponse] = []
    private var bytes = 0

    /// Whether nothing is gathered.
    var isEmpty: Bool { responses.isEmpty }

    /// Whether the run should go to the writer now.
    var isFull: Bool { bytes >= Self.maximumBytes || responses.count >= Self.maximumCount }

    /// Adds `response`, which carries `bytes` of message content.
    mutating func append(_ response: IMAPResponse, bytes: Int) {
        responses.append(response)
        self.bytes += bytes
    }

    /// The gathered responses, leaving the run empty.
    mutating func take() -> [IMAPResponse] {
        defer {
            responses = []
            bytes = 0
        }
        return responses
    }
}
