public import Foundation

/// Remembers, per user, the stamp of the members map their last sync used, and which
/// Launchpad account their name belonged to.
public protocol SyncLedger: Sendable {
    /// The map stamp of `userID`'s last sync, if any.
    func lastSync(of userID: String) async throws -> Date?
    /// Records that `userID` was synced with a map built at `mapBuiltAt`. A stamp older
    /// than the recorded one is ignored (never moves backwards).
    func recordSync(of userID: String, mapBuiltAt: Date) async throws
    /// The creation date (`date_created`) of the Launchpad account that held the name
    /// `userID` when the user last signed in (or was first re-synced), if recorded. Launchpad
    /// keeps it across renames, so a different date under the same name means another
    /// account took the name.
    func launchpadAccountCreated(of userID: String) async throws -> Date?
    /// Records (replacing) the creation date of the Launchpad account holding `userID`.
    func recordLaunchpadAccountCreated(_ date: Date, of userID: String) async throws
}
