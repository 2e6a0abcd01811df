public import Foundation
import Synchronization

/// A ``NonceStore`` in memory, for tests and single-process hosts. It follows the same rules
/// as ``SQLiteOpenIDStore``: a nonce is new once per endpoint until it is removed. Nonces are
/// bounded by time (the relying party removes them once outside the skew window) and by
/// ``capacity``: a full store refuses new nonces (``OpenIDError/store``) rather than forget
/// unexpired ones, which would let their assertions be replayed.
public final class InMemoryNonceStore: NonceStore {
    private struct Key: Hashable {
        var endpoint: String
        var nonce: String
    }

    private struct State {
        var nonces: [Key: Date] = [:]
        /// No nonce expires before this, so purges before it have nothing to do.
        var earliestExpiry = Date.distantFuture
    }

    private let state = Mutex(State())
    /// The most nonces remembered at once.
    public let capacity: Int

    /// An empty store remembering at most `capacity` nonces (default 1,000,000).
    public init(capacity: Int = 1_000_000) { self.capacity = max(1, capacity) }

    /// Records the nonce; false when it was already there.
    /// - Throws: ``OpenIDError/store`` when the store is full of unexpired nonces.
    public func consume(nonce: String, endpoint: String, expiresAt: Date) async throws(OpenIDError) -> Bool {
        try state.withLock { state throws(OpenIDError) in
            let key = Key(endpoint: endpoint, nonce: nonce)
            guard state.nonces[key] == nil else { return false }
            guard state.nonces.count < capacity else {
                throw OpenIDError.store.with(message: "the nonce store is full; sign-ins resume as nonces expire", transient: true)
            }
            state.nonces[key] = expiresAt
            state.earliestExpiry = min(state.earliestExpiry, expiresAt)
            return true
        }
    }

    /// Forgets nonces whose expiry is before `date`.
    public func removeExpiredNonces(before date: Date) async throws(OpenIDError) {
        state.withLock { state in
            guard state.earliestExpiry < date else { return }
            state.nonces = state.nonces.filter { $0.value >= date }
            state.earliestExpiry = state.nonces.values.min() ?? .distantFuture
        }
    }

    /// How many nonces are remembered.
    public var count: Int { state.withLock { $0.nonces.count } }
}
