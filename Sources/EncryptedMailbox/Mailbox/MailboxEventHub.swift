import Foundation
import Synchronization

/// Hands each change to every open event stream; both mailbox implementations use one.
final class MailboxEventHub: Sendable {
    /// Events a slow listener may fall behind before the oldest are dropped; it can always
    /// catch up with `changes(in:since:)`.
    static let buffer = 10_000
    private let continuations = Mutex<[UUID: AsyncStream<MailboxEvent>.Continuation]>([:])

    /// A new stream of the events published from now on.
    func stream() -> AsyncStream<MailboxEvent> { subscribe().stream }

    /// A new stream and the id that ``finish(_:)`` ends it by.
    func subscribe() -> (stream: AsyncStream<MailboxEvent>, id: UUID) {
        let (stream, continuation) = AsyncStream<MailboxEvent>.makeStream(bufferingPolicy: .bufferingNewest(Self.buffer))
        let id = UUID()
        continuations.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.continuations.withLock { $0.removeValue(forKey: id) }
        }
        return (stream, id)
    }

    /// Ends the streams with these ids.
    func finish(_ ids: [UUID]) {
        let ending = continuations.withLock { streams in ids.compactMap { streams.removeValue(forKey: $0) } }
        for continuation in ending { continuation.finish() }
    }

    /// Sends `events`, in order, to every stream.
    func publish(_ events: [MailboxEvent]) {
        guard !events.isEmpty else { return }
        for continuation in continuations.withLock({ Array($0.values) }) {
            for event in events { continuation.yield(event) }
        }
    }

    /// Ends every stream (the mailbox closed).
    func finish() {
        let all = continuations.withLock { streams in
            defer { streams.removeAll() }
            return Array(streams.values)
        }
        for continuation in all { continuation.finish() }
    }
}
