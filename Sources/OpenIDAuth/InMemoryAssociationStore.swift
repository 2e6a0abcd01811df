import Foundation
import Synchronization

/// An ``AssociationStore`` in memory, for tests and single-process hosts. It follows the same
/// rules as ``SQLiteOpenIDStore``: one association per endpoint and handle, expired ones
/// never returned, at most ``capacity`` kept (those that expire first make room).
public final class InMemoryAssociationStore: AssociationStore {
    private struct Key: Hashable {
        var endpoint: String
        var handle: String
    }

    private let associations = Mutex<[Key: OpenIDAssociation]>([:])
    /// The most associations kept; every provider a user names gets one, so without a bound
    /// a flood of sign-ins with made-up identifiers would grow the store without end.
    public let capacity: Int

    /// An empty store keeping at most `capacity` associations (default 10,000).
    public init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

    /// Stores the association, replacing one with the same endpoint and handle; when full,
    /// the associations that expire first (expired ones among them) are dropped.
    public func store(_ association: OpenIDAssociation) async throws(OpenIDError) {
        associations.withLock { all in
            all[Key(endpoint: association.endpoint, handle: association.handle)] = association
            guard all.count > capacity else { return }
            // Down to 90 % at once, so that a full store does not sort on every insert.
            let keep = max(1, capacity * 9 / 10)
            for (key, _) in all.sorted(by: { $0.value.expiresAt < $1.value.expiresAt }).prefix(all.count - keep) { all[key] = nil }
        }
    }

    /// How many associations are kept.
    public var count: Int { associations.withLock { $0.count } }

    /// The unexpired association with this handle.
    public func association(endpoint: String, handle: String, at date: Date) async throws(OpenIDError) -> OpenIDAssociation? {
        associations.withLock { $0[Key(endpoint: endpoint, handle: handle)] }.flatMap { $0.isExpired(at: date) ? nil : $0 }
    }

    /// The unexpired association for the endpoint that expires last.
    public func newestAssociation(endpoint: String, at date: Date) async throws(OpenIDError) -> OpenIDAssociation? {
        associations.withLock { all in
            all.values.filter { $0.endpoint == endpoint && !$0.isExpired(at: date) }.max { $0.expiresAt < $1.expiresAt }
        }
    }

    /// Removes the association; true when there was one.
    @discardableResult
    public func removeAssociation(endpoint: String, handle: String) async throws(OpenIDError) -> Bool {
        associations.withLock { $0.removeValue(forKey: Key(endpoint: endpoint, handle: handle)) != nil }
    }

    /// Forgets expired associations.
    public func removeExpiredAssociations(at date: Date) async throws(OpenIDError) {
        associations.withLock { all in all = all.filter { !$0.value.isExpired(at: date) } }
    }
}
