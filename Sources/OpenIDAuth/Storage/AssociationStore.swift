public import Foundation

/// Keeps associations with providers (section 8). Implementations:
/// ``InMemoryAssociationStore``, ``SQLiteOpenIDStore``.
public protocol AssociationStore: Sendable {
    /// Stores `association`, replacing one with the same endpoint and handle.
    /// - Throws: ``OpenIDError/store``.
    func store(_ association: OpenIDAssociation) async throws(OpenIDError)

    /// The unexpired association with `handle` for `endpoint` at `date`, if any.
    /// - Throws: ``OpenIDError/store``.
    func association(endpoint: String, handle: String, at date: Date) async throws(OpenIDError) -> OpenIDAssociation?

    /// The unexpired association for `endpoint` that lives longest after `date`, if any.
    /// - Throws: ``OpenIDError/store``.
    func newestAssociation(endpoint: String, at date: Date) async throws(OpenIDError) -> OpenIDAssociation?

    /// Removes the association with `handle` for `endpoint`.
    /// - Returns: true when there was one.
    /// - Throws: ``OpenIDError/store``.
    @discardableResult
    func removeAssociation(endpoint: String, handle: String) async throws(OpenIDError) -> Bool

    /// Forgets associations expired at `date`.
    /// - Throws: ``OpenIDError/store``.
    func removeExpiredAssociations(at date: Date) async throws(OpenIDError)
}
