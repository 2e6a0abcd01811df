import Synchronization

/// One end of an in-memory byte pipe: what one end writes, the other reads, in order.
/// The public fake of ``ByteStream`` for tests of protocol code (SMTP, IMAP, TLS) that
/// need no sockets.
///
/// Behaves like a TCP connection where it matters to protocol code:
/// - a read returns what has arrived (at most `maximumCount` bytes) and waits while
///   nothing has; it returns an empty array once the other end closed and everything it
///   wrote has been read;
/// - each direction buffers at most `Configuration.capacity` bytes; a writer waits while
///   the buffer is full (backpressure), so a peer that never reads stalls a writer the way
///   a full socket buffer does;
/// - after ``close()`` this end's reads and writes throw `NetworkError.closed`, and the
///   other end's writes throw `NetworkError.connectionReset` (as `EPIPE` would);
/// - a wait ends with `NetworkError.timedOut` when its deadline passes, and with
///   `NetworkError.cancelled` when the waiting task is cancelled (as `TCPConnection`'s do).
///
/// Make a connected pair with ``makePair(configuration:)``.
public final class InMemoryByteStream: ByteStream {
    /// How much a pipe buffers.
    public struct Configuration: Sendable {
        /// The most bytes buffered in each direction before a writer waits. Default:
        /// 65,536, about what a loopback socket buffers.
        public var capacity: Int = 65_536

        /// The defaults above.
        public init() {}
    }

    private let incoming: InMemoryPipe
    private let outgoing: InMemoryPipe

    private init(incoming: InMemoryPipe, outgoing: InMemoryPipe) {
        self.incoming = incoming
        self.outgoing = outgoing
    }

    /// Two connected ends: what the first writes, the second reads, and the other way.
    public static func makePair(
        configuration: Configuration = Configuration()
    ) -> (InMemoryByteStream, InMemoryByteStream) {
        let forward = InMemoryPipe(capacity: max(1, configuration.capacity))
        let backward = InMemoryPipe(capacity: max(1, configuration.capacity))
        return (InMemoryByteStream(incoming: backward, outgoing: forward), InMemoryByteStream(incoming: forward, outgoing: backward))
    }

    /// Reads what the other end wrote: at least one byte and at most `maximumCount`, or an
    /// empty array once the other end closed and everything it wrote has been read.
    /// - Throws: `NetworkError.timedOut` when `deadline` passes before anything arrives,
    ///   `NetworkError.cancelled` when the task is cancelled first, `NetworkError.closed`
    ///   after this end's ``close()``.
    public func read(maximumCount: Int, deadline: ContinuousClock.Instant) async throws(NetworkError) -> [UInt8] {
        try await incoming.read(maximumCount: max(1, maximumCount), deadline: deadline)
    }

    /// Writes all of `bytes`, waiting while the other end's buffer is full.
    /// - Throws: `NetworkError.timedOut` when `deadline` passes first,
    ///   `NetworkError.cancelled` when the task is cancelled first,
    ///   `NetworkError.connectionReset` when the other end closed;
    ///   `NetworkError.closed` after this end's ``close()``.
    public func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(NetworkError) {
        try await outgoing.write(bytes, deadline: deadline)
    }

    /// Closes this end: the other end reads what was written so far, then the end of the
    /// stream. Closing twice is harmless.
    public func close() async {
        outgoing.closeWritingSide()
        incoming.closeReadingSide()
    }
}
