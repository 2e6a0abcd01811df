import CommunityMailSystem
import Synchronization

/// The ``IMAPResponseWriter`` of one connection: encodes each response with
/// ``IMAPResponseEncoder`` into a buffer that goes to the client when it grows past
/// ``flushThreshold`` (a FETCH of many bodies streams out without being held whole) and at
/// ``flush()``, which the connection calls once per command, before it waits for the client.
///
/// It also counts tagged `BAD` replies in a row (whoever wrote them: the connection, the
/// parser's refusals, the session), so the connection can close on a client that sends
/// nothing but junk.
final class IMAPConnectionWriter: IMAPResponseWriter {
    /// Buffered bytes past which a write goes out at once.
    static let flushThreshold = 262_144

    private struct State {
        var stream: any ByteStream
        var encoder = IMAPResponseEncoder()
        var buffer: [UInt8] = []
        var consecutiveBadReplies = 0
        var responseCount = 0
    }

    private let state: Mutex<State>
    private let writeTimeout: Duration

    /// A writer to `stream`; each write to the client may take `writeTimeout`.
    init(stream: any ByteStream, writeTimeout: Duration) {
        state = Mutex(State(stream: stream))
        self.writeTimeout = writeTimeout
    }

    /// Buffers `response`; writes the buffer when it is large.
    /// - Throws: `NetworkError` when the client cannot be written to.
    func write(_ response: IMAPResponse) async throws {
        let (stream, bytes) = state.withLock { state -> (any ByteStream, [UInt8]?) in
            Self.append(response, to: &state)
            guard state.buffer.count >= Self.flushThreshold else { return (state.stream, nil) }
            defer { state.buffer = [] }
            return (state.stream, state.buffer)
        }
        if let bytes { try await stream.write(bytes, deadline: .now + writeTimeout) }
    }

    /// Buffers `responses` in order, writing the buffer each time it grows large: the same
    /// bytes as one ``write(_:)`` per response, with one lock and no task hop per response.
    /// - Throws: `NetworkError` when the client cannot be written to.
    func write(contentsOf responses: [IMAPResponse]) async throws {
        var next = responses.startIndex
        while next < responses.endIndex {
            let (stream, bytes) = state.withLock { state -> (any ByteStream, [UInt8]?) in
                while next < responses.endIndex {
                    Self.append(responses[next], to: &state)
                    next += 1
                    if state.buffer.count >= Self.flushThreshold {
                        defer { state.buffer = [] }
                        return (state.stream, state.buffer)
                    }
                }
                return (state.stream, nil)
            }
            if let bytes { try await stream.write(bytes, deadline: .now + writeTimeout) }
        }
    }

    /// Buffers the responses of `run`, encoded straight from the message states; writes the
    /// buffer when it is large.
    /// - Throws: `NetworkError` when the client cannot be written to.
    func write(_ run: IMAPStateFetchRun) async throws {
        let (stream, bytes) = state.withLock { state -> (any ByteStream, [UInt8]?) in
            state.encoder.encode(run, into: &state.buffer)
            state.responseCount &+= run.messages.count
            guard state.buffer.count >= Self.flushThreshold else { return (state.stream, nil) }
            defer { state.buffer = [] }
            return (state.stream, state.buffer)
        }
        if let bytes { try await stream.write(bytes, deadline: .now + writeTimeout) }
    }

    /// Encodes `response` onto the buffer and counts it.
    private static func append(_ response: IMAPResponse, to state: inout State) {
        state.encoder.encode(response, into: &state.buffer)
        state.responseCount &+= 1
        switch response {
        case .tagged(_, let status) where status.status == .bad: state.consecutiveBadReplies += 1
        case .untagged(.condition(let status)) where status.status == .bad: state.consecutiveBadReplies += 1
        case .tagged: state.consecutiveBadReplies = 0
        default: break
        }
    }

    /// Writes what is buffered.
    func flush() async throws(NetworkError) {
        let (stream, bytes) = state.withLock { state -> (any ByteStream, [UInt8]) in
            defer { state.buffer = [] }
            return (state.stream, state.buffer)
        }
        guard !bytes.isEmpty else { return }
        try await stream.write(bytes, deadline: .now + writeTimeout)
    }

    /// Writes to `stream` from now on (the TLS stream after STARTTLS); the buffer must be
    /// flushed first.
    func replaceStream(_ stream: any ByteStream) { state.withLock { $0.stream = stream } }

    /// Whether mailbox names and 8-bit strings go out as UTF-8 (the session's `utf8Enabled`).
    func setUTF8(_ utf8: Bool) { state.withLock { $0.encoder.utf8 = utf8 } }

    /// How many responses were written so far.
    var responseCount: Int { state.withLock { $0.responseCount } }

    /// Tagged or untagged `BAD` replies since the last other tagged reply.
    var consecutiveBadReplies: Int { state.withLock { $0.consecutiveBadReplies } }
}
