public import Foundation
import Synchronization

/// An ``AssociationStore`` in memory, for tests and single-process hosts. It follows the same
/// rules as ``SQLiteOpenIDStore``: one association per endpoint and handle, expired ones
/// never returned, at most ``capacity`` kept (the least recently used make room).
public final class InMemoryAssociationStore: AssociationStore {
    private struct Key: Hashable {
        var endpoint: String
        var handle: String
    }

    private struct Entry {
        var association: OpenIDAssociation
        /// When it was last stored or read, as a counter (larger is more recent).
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var uses: UInt64 = 0

        mutating func touch(_ key: Key) {
            uses += 1
            entries[key]?.lastUse = uses
        }
    }

    private let state = Mutex(State())
    /// The most associations kept; every provider a user names gets one, so without a bound
    /// a flood of sign-ins with made-up identifiers would grow the store without end.
    public let capacity: Int

    /// An empty store keeping at most `capacity` associations (default 10,000).
    public init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

    /// Stores the association, replacing one with the same endpoint and handle; when full,
    /// the least recently used associations are dropped. Recency, not expiry, decides,
    /// because the provider chooses the expiry: a flood of long-lived associations from
    /// made-up providers cannot push out one that sign-ins keep using.
    public func store(_ association: OpenIDAssociation) async throws(OpenIDError) {
        state.withLock { state in
            state.uses += 1
            state.entries[Key(endpoint: association.endpoint, handle: association.handle)] = Entry(
                association: association, lastUse: state.uses)
            guard state.entries.count > capacity else { return }
            // Down to 90 % at once, so that a full store does not sort on every insert.
            let keep = max(1, capacity * 9 / 10)
            for (key, _) in state.entries.sorted(by: { $0.value.lastUse < $1.value.lastUse }).prefix(state.entries.count - keep) {
                state.entries[key] = nil
            }
        }
    }

    /// How many associations are kept.
    public var count: Int { state.withLock { $0.entries.count } }

    /// The unexpired association with this handle (which counts as a use).
    public func association(endpoint: String, handle: String, at date: Date) async throws(OpenIDError) -> OpenIDAssociation? {
        state.withLock { state -> OpenIDAssociation? in
            let key = Key(endpoint: endpoint, handle: handle)
            guard let entry = state.entries[key], !entry.association.isExpired(at: date) else { return nil }
            state.touch(key)
            return entry.association
        }
    }

    /// The unexpired association for the endpoint that expires last (which counts as a use).
    public func newestAssociation(endpoint: String, at date: Date) async throws(OpenIDError) -> OpenIDAssociation? {
        state.withLock { state -> OpenIDAssociation? in
            guard let newest = state.entries.values.map(\.association)
                .filter({ $0.endpoint == endpoint && !$0.isExpired(at: date) }).max(by: { $0.expiresAt < $1.expiresAt })
            else { return nil }
            state.touch(Key(endpoint: newest.endpoint, handle: newest.handle))
            return newest
        }
    }

    /// Removes the association; true when there was one.
    @discardableResult
    public func removeAssociation(endpoint: String, handle: String) async throws(OpenIDError) -> Bool {
        state.withLock { $0.entries.removeValue(forKey: Key(endpoint: endpoint, handle: handle)) != nil }
    }

    /// Forgets expired associations.
    public func removeExpiredAssociations(at date: Date) async throws(OpenIDError) {
        state.withLock { state in state.entries = state.entries.filter { !$0.value.association.isExpired(at: date) } }
    }
}
