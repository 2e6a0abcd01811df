public import Foundation

/// Caches discovery results per normalized identifier, so that verifying an assertion does
/// not always refetch the claimed identifier. Implementations bound their size (every
/// identifier a user types is cached). Implementations: ``InMemoryDiscoveryCache``,
/// ``SQLiteOpenIDStore``.
public protocol DiscoveryCache: Sendable {
    /// The services cached for `identifier` that are still fresh at `date`.
    /// - Throws: ``OpenIDError/store``.
    func services(for identifier: String, at date: Date) async throws(OpenIDError) -> DiscoveredIdentifier?

    /// Caches `result` for `identifier` until `expiresAt`.
    /// - Throws: ``OpenIDError/store``.
    func store(_ result: DiscoveredIdentifier, for identifier: String, expiresAt: Date) async throws(OpenIDError)

    /// Drops entries expired at `date` (the relying party calls this on a schedule).
    /// - Throws: ``OpenIDError/store``.
    func removeExpiredEntries(at date: Date) async throws(OpenIDError)
}
