public import Foundation

/// Remembers the response nonces accepted from each provider so that no assertion is
/// accepted twice (section 11.3). Implementations: ``InMemoryNonceStore``,
/// ``SQLiteOpenIDStore``.
public protocol NonceStore: Sendable {
    /// Records `nonce` from `endpoint`, kept until `expiresAt`.
    /// - Returns: true when it was new, false when it was already recorded (a replay).
    /// - Throws: ``OpenIDError/store``.
    func consume(nonce: String, endpoint: String, expiresAt: Date) async throws(OpenIDError) -> Bool

    /// Forgets nonces that expired before `date`; they are outside the skew window anyway.
    /// - Throws: ``OpenIDError/store``.
    func removeExpiredNonces(before date: Date) async throws(OpenIDError)
}
