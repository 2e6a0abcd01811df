import EncryptedMailbox

extension Mailbox {
    /// Claims every message of `folder` not claimed yet, as a fixture does to start with no
    /// `\Recent` message: the folder's UIDVALIDITY as it is now, no bound below UIDNEXT.
    func claimAllRecent(in folder: String) async throws -> RecentClaim {
        let status = try await status(of: folder)
        return try await claimRecent(in: folder, uidValidity: status.uidValidity, below: .max)
    }
}
