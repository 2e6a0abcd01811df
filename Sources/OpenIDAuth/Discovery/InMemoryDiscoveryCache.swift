public import Foundation
import Synchronization

/// A ``DiscoveryCache`` in memory. Entries are returned only while fresh; at most
/// ``capacity`` are kept (those that expire first make room), and expired ones are dropped by
/// ``removeExpiredEntries(at:)``.
public final class InMemoryDiscoveryCache: DiscoveryCache {
    private let entries = Mutex<[String: (result: DiscoveredIdentifier, expiresAt: Date)]>([:])
    /// The most entries kept: every identifier a user types is cached, so without a bound a
    /// flood of sign-ins with made-up identifiers would grow the cache without end.
    public let capacity: Int

    /// An empty cache keeping at most `capacity` entries (default 10,000).
    public init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

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

    /// Caches `result` until `expiresAt`; when full, the entries that expire first go.
    public func store(_ result: DiscoveredIdentifier, for identifier: String, expiresAt: Date) async throws(OpenIDError) {
        entries.withLock { entries in
            entries[identifier] = (result, expiresAt)
            guard entries.count > capacity else { return }
            // Down to 90 % at once, so that a full cache does not sort on every insert.
            let keep = max(1, capacity * 9 / 10)
            for (key, _) in entries.sorted(by: { $0.value.expiresAt < $1.value.expiresAt }).prefix(entries.count - keep) {
                entries[key] = nil
            }
        }
    }

    /// Drops entries expired at `date`.
    public func removeExpiredEntries(at date: Date) async throws(OpenIDError) {
        entries.withLock { entries in entries = entries.filter { date < $0.value.expiresAt } }
    }

    /// How many entries are kept.
    public var count: Int { entries.withLock { $0.count } }
}
