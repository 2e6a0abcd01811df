import CommunityMailSystem

/// One end of an in-memory byte pipe: what one end writes, the other reads. Deadlines are
/// honoured; closing either end ends the other's reads.
final class InMemoryStream: ByteStream {
    private let inbox: Inbox
    private let outbox: Inbox

    private init(inbox: Inbox, outbox: Inbox) {
        self.inbox = inbox
        self.outbox = outbox
    }

    /// Two connected ends.
    static func pair() -> (client: InMemoryStream, server: InMemoryStream) {
        let toServer = Inbox(), toClient = Inbox()
        return (InMemoryStream(inbox: toClient, outbox: toServer), InMemoryStream(inbox: toServer, outbox: toClient))
    }

    func read(maximumCount: Int, deadline: ContinuousClock.Instant) async throws(NetworkError) -> [UInt8] {
        try await inbox.take(maximumCount: maximumCount, deadline: deadline)
    }

    func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) async throws(NetworkError) {
        guard !(await inbox.isClosed) else { throw NetworkError.closed("write after close") }
        await outbox.put(bytes)
    }

    func close() async {
        await inbox.close()
        await outbox.close()
    }

    /// Bytes in one direction, and at most one reader waiting for them.
    actor Inbox {
        private var bytes: [UInt8] = []
        private(set) var isClosed = false
        private var waiter: CheckedContinuation<Void, Never>?

        func put(_ more: [UInt8]) {
            guard !isClosed else { return }
            bytes += more
            wake()
        }

        func close() {
            isClosed = true
            wake()
        }

        private func wake() {
            waiter?.resume()
            waiter = nil
        }

        func take(maximumCount: Int, deadline: ContinuousClock.Instant) async throws(NetworkError) -> [UInt8] {
            while true {
                if !bytes.isEmpty {
                    let count = min(maximumCount, bytes.count)
                    defer { bytes.removeFirst(count) }
                    return Array(bytes[..<count])
                }
                if isClosed { return [] }
                if ContinuousClock.now >= deadline { throw NetworkError.timedOut("in-memory read") }
                let timer = Task { [weak self] in
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    await self?.timerFired()
                }
                await withCheckedContinuation { waiter = $0 }
                timer.cancel()
            }
        }

        private func timerFired() { wake() }
    }
}
