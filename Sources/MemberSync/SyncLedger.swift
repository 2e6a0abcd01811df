import Foundation

/// Remembers, per user, the stamp of the members map their last sync used.
public protocol SyncLedger: Sendable {
    /// The map stamp of `userID`'s last sync, if any.
    func lastSync(of userID: String) async throws -> Date?
    /// Records that `userID` was synced with a map built at `mapBuiltAt`. A stamp older
    /// than the recorded one is ignored (never moves backwards).
    func recordSync(of userID: String, mapBuiltAt: Date) async throws
}
