/// One async lock per domain, so that a run never changes one domain from two tasks at once.
actor DomainLocks {
    private var held: Set<String> = []
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` while holding the lock for `domain`.
    nonisolated func withLock<T: Sendable>(_ domain: String, _ body: () async throws -> T) async throws -> T {
        await acquire(domain)
        do {
            let value = try await body()
            await release(domain)
            return value
        } catch {
            await release(domain)
            throw error
        }
    }

    private func acquire(_ domain: String) async {
        if held.insert(domain).inserted { return }
        await withCheckedContinuation { waiters[domain, default: []].append($0) }
    }

    private func release(_ domain: String) {
        if var queue = waiters[domain], !queue.isEmpty {
            // Hand the lock straight to the next waiter: it stays held.
            let next = queue.removeFirst()
            waiters[domain] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            held.remove(domain)
        }
    }
}
