public import CommunityMailSystem
import Synchronization

/// A TLS session over any ``ByteStream``: a TCP connection, a connection after
/// STARTTLS, or an in-memory pipe in tests. It is a `ByteStream` itself, so protocol code
/// reads and writes plaintext through it the same way.
///
/// OpenSSL runs on memory buffers, not on a socket: its calls never block, and the
/// ciphertext moves through the underlying stream with the deadline of the read or write
/// that needs it. One reader and one writer may use the stream at once.
///
/// Make one with ``connect(over:configuration:deadline:)`` (client) or
/// ``accept(over:context:deadline:)`` (server); both return after the handshake.
///
/// **STARTTLS** (RFC 3207, 2595, 8314): wrap the already-connected stream after the
/// plaintext exchange that agreed on the upgrade. The TLS session reads only from the
/// underlying stream, never from the caller's buffer: whatever plaintext the caller read
/// ahead before the upgrade (bytes after the `STARTTLS` line, or after the server's
/// `220`) must be discarded, not treated as part of the protected session, because an
/// attacker can inject it before the handshake (CVE-2011-0411).
///
/// **Closing**: ``close()`` sends close_notify and closes the underlying stream, without
/// waiting for a write in progress (it ends with `NetworkError.closed`). A read waiting for
/// the peer ends with `NetworkError.closed` when the underlying stream closes: at once when
/// a write is in progress or close_notify goes out at once, at most ``closeNotifyTimeout``
/// later when the peer's receive buffer is full. A read
/// that meets close_notify from the peer returns an empty array (the clean end of the
/// stream). A read that meets the end of the underlying stream *without* close_notify
/// throws `NetworkError.tlsFailure` ("truncated"): an attacker can cut a connection, and
/// data that stops early must not look complete.
public final class TLSStream: ByteStream {
    /// How long ``close()`` waits to hand close_notify to the underlying stream (it waits
    /// only while the peer's receive buffer is full).
    public static let closeNotifyTimeout: Duration = .seconds(2)

    /// Ciphertext read from the underlying stream at once: several records, so a bulk
    /// transfer costs few reads.
    static let underlyingReadSize = 4 * (TLSEngine.maximumRecordPlaintext + 256)

    /// Plaintext encrypted at once by a write before its ciphertext is sent, so a large
    /// write never holds more than this much ciphertext in memory.
    static let writeChunkSize = 4 * TLSEngine.maximumRecordPlaintext

    let underlying: any ByteStream
    /// The OpenSSL session, the ciphertext waiting to leave, and whose turn it is to send.
    let engine: Mutex<TLSEngine>

    init(underlying: any ByteStream, engine: sending TLSEngine) {
        self.underlying = underlying
        self.engine = Mutex(engine)
    }

    /// The negotiated protocol version.
    public var protocolVersion: TLSProtocolVersion { engine.withLock { $0.protocolVersion } }

    /// The host name the client asked for in SNI (on a server), if any.
    public var requestedServerName: String? { engine.withLock { $0.requestedServerName } }

    /// Reads plaintext: at least one byte and at most `maximumCount` (and at most 64 KiB),
    /// waiting for the peer. Returns an empty array once the peer sent close_notify.
    /// - Throws: `NetworkError.tlsFailure` for a bad record, a fatal alert, or the end of
    ///   the underlying stream without close_notify (truncation); `NetworkError.closed`
    ///   after ``close()``; the underlying stream's errors (`timedOut` when `deadline`
    ///   passes first).
    public func read(maximumCount: Int, deadline: ContinuousClock.Instant) async throws(NetworkError) -> [UInt8] {
        while true {
            let (outcome, queuedUpTo) = engine.withLock { engine -> (TLSEngine.Outcome<[UInt8]>, Int?) in
                if engine.closedLocally { return (.failed(.closed("read from a closed TLS stream")), nil) }
                if let failure = engine.failure { return (.failed(failure), nil) }
                let queuedBefore = engine.queuedTotal
                var outcome = engine.read(maximumCount: maximumCount)
                switch outcome {
                case .needsInput where engine.transportEnded:
                    let truncated = NetworkError.tlsFailure(
                        "the peer closed the connection without a TLS close_notify: the data may be truncated")
                    engine.failure = truncated
                    outcome = .failed(truncated)
                case .failed(let error):
                    engine.failure = error
                default:
                    break
                }
                return (outcome, engine.queuedTotal > queuedBefore ? engine.queuedTotal : nil)
            }
            // The read may have produced an alert or a KeyUpdate answer: send it (and what
            // was queued before it) unless another task is sending, which then takes it
            // along. A reader never waits for a writer's turn and never sends a writer's
            // later bytes: that writer may be waiting for the peer to read, and the peer for us.
            if let queuedUpTo {
                do throws(NetworkError) {
                    try await send(deadline: deadline, turn: .ifFree(upTo: queuedUpTo))
                } catch {
                    // Decrypted data still goes to the caller; the next call reports the failure.
                    if case .needsInput = outcome { throw error }
                }
            }
            switch outcome {
            case .done(let bytes): return bytes
            case .closedByPeer: return []
            case .failed(let error): throw error
            case .needsInput: try await receiveCiphertext(deadline: deadline)
            }
        }
    }

    /// Encrypts and sends all of `bytes`.
    /// - Throws: `NetworkError.tlsFailure` when the session failed before;
    ///   `NetworkError.closed` after ``close()``; the underlying stream's errors
    ///   (`timedOut` when `deadline` passes first).
    public func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(NetworkError) {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + Self.writeChunkSize)
            let failure = engine.withLock { engine -> NetworkError? in
                if engine.closedLocally { return .closed("write to a closed TLS stream") }
                if let failure = engine.failure { return failure }
                let failure = engine.write(bytes[offset..<end])
                if let failure { engine.failure = failure }
                return failure
            }
            if let failure { throw failure }
            try await send(deadline: deadline, turn: .waiting)
            offset = end
        }
    }

    /// Closes the session and the underlying stream without waiting for a write in
    /// progress: it ends with `NetworkError.closed` at once, whatever its deadline. When
    /// nothing is being sent and the session is intact, close_notify goes out first,
    /// best-effort, waiting at most ``closeNotifyTimeout`` for a peer that does not read (a
    /// read waiting meanwhile ends with `NetworkError.closed` once the underlying stream
    /// closes, so it too may wait that long); while a write is in progress (a peer that does not read can hold it
    /// until its deadline) no close_notify is sent, since it cannot follow a record cut in
    /// the middle. Closing twice is harmless.
    public func close() async {
        let (shouldClose, holdsTurn) = engine.withLock { engine -> (Bool, Bool) in
            guard !engine.closedLocally else { return (false, false) }
            engine.closedLocally = true
            guard !engine.isSending else { return (true, false) }
            if engine.isEstablished && engine.failure == nil { engine.shutdown() }
            engine.isSending = true
            return (true, true)
        }
        guard shouldClose else { return }
        if holdsTurn {
            try? await sendQueued(deadline: .now + Self.closeNotifyTimeout, upTo: .max)
        }
        // Ends the reads and writes waiting on the underlying stream (its close wakes them).
        await underlying.close()
    }

    /// Reads the next ciphertext from the underlying stream into OpenSSL, or notes the
    /// end of the underlying stream.
    func receiveCiphertext(deadline: ContinuousClock.Instant) async throws(NetworkError) {
        let ciphertext: [UInt8]
        do {
            ciphertext = try await underlying.read(maximumCount: Self.underlyingReadSize, deadline: deadline)
        } catch {
            // A read whose own deadline passed says so, even if a close came meanwhile.
            let closedUnderIt = error != .timedOut("") && engine.withLock { $0.closedLocally }
            throw closedUnderIt ? .closed("the TLS stream was closed during the read") : error
        }
        engine.withLock { engine in
            if ciphertext.isEmpty {
                engine.transportEnded = true
            } else {
                engine.feed(ciphertext)
            }
        }
    }

    /// How a task gets its turn to send.
    enum SendingTurn {
        /// Wait for the turn, then send everything queued (writes, the handshake, close).
        case waiting
        /// Send the queue up to position `upTo` (what this reader queued), only if nobody
        /// else is sending; whoever is sends it along.
        case ifFree(upTo: Int)
    }

    /// Sends the ciphertext OpenSSL produced so far, in order: one task at a time sends,
    /// and a waiting turn takes along whatever others queued meanwhile. A `.waiting` call
    /// returns when everything queued before it has been written.
    func send(deadline: ContinuousClock.Instant, turn: SendingTurn) async throws(NetworkError) {
        let limit: Int
        switch turn {
        case .waiting:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let isMyTurn = engine.withLock { engine in
                    guard engine.isSending else {
                        engine.isSending = true
                        return true
                    }
                    engine.sendWaiters.append(continuation)
                    return false
                }
                // Otherwise a finishing sender hands its turn over by resuming the next waiter.
                if isMyTurn { continuation.resume() }
            }
            limit = .max
        case .ifFree(let upTo):
            let isMyTurn = engine.withLock { engine in
                guard !engine.isSending, engine.takenTotal < upTo else { return false }
                engine.isSending = true
                return true
            }
            guard isMyTurn else { return }
            limit = upTo
        }
        try await sendQueued(deadline: deadline, upTo: limit)
    }

    /// With the turn held: writes the queued ciphertext up to position `limit`, then
    /// passes the turn on (or frees it) and reports the first write failure.
    private func sendQueued(deadline: ContinuousClock.Instant, upTo limit: Int) async throws(NetworkError) {
        while true {
            let step = engine.withLock { engine -> SendStep in
                let available = min(engine.pendingOutput.count, limit - engine.takenTotal)
                if engine.sendFailure == nil, available > 0 {
                    let batch = Array(engine.pendingOutput.prefix(available))
                    engine.pendingOutput.removeFirst(available)
                    engine.takenTotal += available
                    return .write(batch)
                }
                // Ending the turn in the same locked section as the last look at the queue:
                // bytes queued by a reader that found the turn taken are never left behind.
                if engine.sendWaiters.isEmpty {
                    engine.isSending = false
                    return .finished(next: nil, failure: engine.sendFailure)
                }
                return .finished(next: engine.sendWaiters.removeFirst(), failure: engine.sendFailure)
            }
            switch step {
            case .write(let batch):
                do {
                    try await underlying.write(batch, deadline: deadline)
                } catch {
                    // Part of the ciphertext may be gone: the record stream is broken for good.
                    // A write that close() cut short reports the close, not how it surfaced; one
                    // whose own deadline passed reports that, even if a close came meanwhile.
                    engine.withLock { engine in
                        let closedUnderIt = engine.closedLocally && error != .timedOut("")
                        engine.sendFailure = closedUnderIt ? .closed("the TLS stream was closed during the write") : error
                    }
                }
            case .finished(let next, let failure):
                next?.resume()
                if let failure { throw failure }
                return
            }
        }
    }

    /// What a sending turn does next.
    private enum SendStep {
        case write([UInt8])
        /// The turn ended; `next` is the task it passes to.
        case finished(next: CheckedContinuation<Void, Never>?, failure: NetworkError?)
    }
}
