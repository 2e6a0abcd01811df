import Foundation
import Synchronization

/// An ``AssociationStore`` in memory, for tests and single-process hosts. It follows the same
/// rules as ``SQLiteOpenIDStore``: one association per endpoint and handle, expired ones
/// never returned.
public final class InMemoryAssociationStore: AssociationStore {
    private struct Key: Hashable {
        var endpoint: String
        var handle: String
    }

    private let associations = Mutex<[Key: OpenIDAssociation]>([:])

    /// An empty store.
    public init() {}

    /// Stores the association, replacing one with the same endpoint and handle.
    public func store(_ association: OpenIDAssociation) async throws(OpenIDError) {
        associations.withLock { $0[Key(endpoint: association.endpoint, handle: association.handle)] = association }
    }

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
