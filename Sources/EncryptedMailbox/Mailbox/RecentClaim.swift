/// What ``Mailbox/claimRecent(in:uidValidity:below:)`` gives one session: the folder's messages that are
/// `\Recent` for it alone (RFC 3501 section 2.3.2).
public struct RecentClaim: Sendable, Hashable {
    /// The folder's UIDVALIDITY when the claim was made. When it differs from the one the
    /// claimant asked for (the folder was deleted and made again since), nothing was claimed
    /// and ``uids`` is empty.
    public var uidValidity: UInt32
    /// The claimed UIDs: every message of the folder whose UID is in this range is recent for
    /// the claimant and for no one else. From the folder's first unclaimed UID up to the
    /// claim's bound or the folder's UIDNEXT, whichever is lower; empty when nothing was left
    /// to claim below the bound, or the folder's UIDVALIDITY did not match.
    public var uids: Range<UInt32>

    /// A claim from its parts.
    public init(uidValidity: UInt32, uids: Range<UInt32>) {
        self.uidValidity = uidValidity
        self.uids = uids
    }
}

extension RecentClaim {
    /// What a claim takes of a folder with these values (both mailbox kinds apply it): the
    /// UIDs from the first unclaimed one up to `bound` or UIDNEXT, whichever is lower; none
    /// when `uidValidity` is not the folder's. The new threshold is `uids.upperBound` when
    /// `uids` is not empty (it never goes down).
    static func planned(
        folderUIDValidity: UInt32, firstRecentUID: UInt32, uidNext: UInt32, uidValidity: UInt32, bound: UInt32
    ) -> RecentClaim {
        let first = min(max(1, firstRecentUID), uidNext)
        guard folderUIDValidity == uidValidity else { return RecentClaim(uidValidity: folderUIDValidity, uids: first..<first) }
        let end = max(first, min(bound, uidNext))
        return RecentClaim(uidValidity: folderUIDValidity, uids: first..<end)
    }
}
