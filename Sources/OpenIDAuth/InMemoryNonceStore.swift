import Foundation
import Synchronization

/// A ``NonceStore`` in memory, for tests and single-process hosts. It follows the same rules
/// as ``SQLiteOpenIDStore``: a nonce is new once per endpoint until it is removed.
public final class InMemoryNonceStore: NonceStore {
    private struct Key: Hashable {
        var endpoint: String
        var nonce: String
    }

    private let nonces = Mutex<[Key: Date]>([:])

    /// An empty store.
    public init() {}

    /// Records the nonce; false when it was already there.
    public func consume(nonce: String, endpoint: String, expiresAt: Date) async throws(OpenIDError) -> Bool {
        nonces.withLock { nonces in
            let key = Key(endpoint: endpoint, nonce: nonce)
            guard nonces[key] == nil else { return false }
            nonces[key] = expiresAt
            return true
        }
    }

    /// Forgets nonces whose expiry is before `date`.
    public func removeExpiredNonces(before date: Date) async throws(OpenIDError) {
        nonces.withLock { nonces in nonces = nonces.filter { $0.value >= date } }
    }

    /// How many nonces are remembered.
    public var count: Int { nonces.withLock { $0.count } }
}
