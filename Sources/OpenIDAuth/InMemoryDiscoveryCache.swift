import Foundation
import Synchronization

/// A ``DiscoveryCache`` in memory. Entries are returned only while fresh.
public final class InMemoryDiscoveryCache: DiscoveryCache {
    private let entries = Mutex<[String: (result: DiscoveredIdentifier, expiresAt: Date)]>([:])

    /// An empty cache.
    public init() {}

    /// The fresh entry for `identifier`, if any.
    public func services(for identifier: String, at date: Date) async throws(OpenIDError) -> DiscoveredIdentifier? {
        entries.withLock { entries in
            guard let entry = entries[identifier] else { return nil }
            guard date < entry.expiresAt else {
                entries[identifier] = nil
                return nil
            }
            return entry.result
        }
    }

    /// Caches `result` until `expiresAt`.
    public func store(_ result: DiscoveredIdentifier, for identifier: String, expiresAt: Date) async throws(OpenIDError) {
        entries.withLock { $0[identifier] = (result, expiresAt) }
    }
}
