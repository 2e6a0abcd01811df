/// What ``Mailbox/claimRecent(in:)`` gives one session: the folder's messages that are
/// `\Recent` for it alone (RFC 3501 section 2.3.2).
public struct RecentClaim: Sendable, Hashable {
    /// The folder's UIDVALIDITY when the claim was made: a claim on a folder deleted and
    /// made again since the caller read it concerns another folder.
    public var uidValidity: UInt32
    /// The claimed UIDs: every message of the folder whose UID is in this range is recent for
    /// the claimant and for no one else. From the folder's first unclaimed UID up to its
    /// UIDNEXT at the claim; empty when nothing was left to claim.
    public var uids: Range<UInt32>

    /// A claim from its parts.
    public init(uidValidity: UInt32, uids: Range<UInt32>) {
        self.uidValidity = uidValidity
        self.uids = uids
    }
}
