/// A connected, ordered byte stream: a TCP connection, a TLS session over one, or an
/// in-memory pipe in tests. Protocol code (SMTP, IMAP, DNS over TCP) is written against
/// this, so TLS can be layered on any stream (STARTTLS) and tests need no sockets.
///
/// One reader and one writer may use a stream at the same time; two concurrent reads (or
/// writes) are a programming error.
public protocol ByteStream: Sendable {
    /// Reads what has arrived, at least one byte and at most `maximumCount`; waits until
    /// something arrives. Returns an empty array at the end of the stream (the peer closed
    /// its side).
    /// - Throws: `NetworkError.timedOut` when `deadline` passes first, or the failure.
    func read(maximumCount: Int, deadline: ContinuousClock.Instant) async throws(NetworkError) -> [UInt8]

    /// Writes all of `bytes`, waiting while the peer is slow to take them.
    /// - Throws: `NetworkError.timedOut` when `deadline` passes first, or the failure.
    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(NetworkError)

    /// Closes the stream. A read or write waiting on the stream ends with
    /// `NetworkError.closed`, whatever its deadline, and so do later ones; closing twice is
    /// harmless. A TCP connection or an in-memory pipe ends them at once. A TLS stream first
    /// sends close_notify when nothing else is being sent, which may wait (at most
    /// `TLSStream.closeNotifyTimeout`) for room in the peer's buffer: a read waiting
    /// meanwhile ends when that is done; a write in progress ends at once (no close_notify
    /// is sent then).
    func close() async
}
