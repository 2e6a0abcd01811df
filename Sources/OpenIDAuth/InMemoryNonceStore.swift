import Foundation
import Synchronization

/// A ``NonceStore`` in memory, for tests and single-process hosts. It follows the same rules
/// as ``SQLiteOpenIDStore``: a nonce is new once per endpoint until it is removed.
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

    /// An empty store.
    public init() {}

    /// Records the nonce; false when it was already there.
    public func consume(nonce: String, endpoint: String, expiresAt: Date) async throws(OpenIDError) -> Bool {
        state.withLock { state in
            let key = Key(endpoint: endpoint, nonce: nonce)
            guard state.nonces[key] == nil else { return false }
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
