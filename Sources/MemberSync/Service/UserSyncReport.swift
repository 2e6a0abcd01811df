/// What syncing one user did.
public struct UserSyncReport: Sendable, Hashable {
    /// Why a user got no addresses.
    public enum Refusal: String, Sendable, Hashable {
        /// The user is banned in the alias store.
        case banned
        /// Launchpad has no such account.
        case accountNotFound = "account-not-found"
        /// The Launchpad account is deactivated, suspended or merged (`is_valid` false).
        case accountNotValid = "account-not-valid"
        /// The member has not signed the Ubuntu Code of Conduct.
        case codeOfConductNotSigned = "code-of-conduct-not-signed"
        /// Launchpad withheld `is_valid` or `is_ubuntu_coc_signer`, so neither can be confirmed.
        case accountNotVisible = "account-not-visible"
        /// The re-sync found the stored user's name held by another Launchpad account (a
        /// different creation date): the user was renamed and someone took the name.
        case accountReplaced = "account-replaced"

        /// A sentence for the member.
        public var explanation: String {
            switch self {
            case .banned: "your account is banned from the service"
            case .accountNotFound: "Launchpad has no account with your user name"
            case .accountNotValid: "your Launchpad account is not active"
            case .codeOfConductNotSigned: "you have not signed the Ubuntu Code of Conduct on Launchpad"
            case .accountNotVisible: "Launchpad does not show whether your account is active and has signed the Code of Conduct"
            case .accountReplaced: "your former Launchpad user name now belongs to another account; sign in with your current one"
            }
        }
    }

    /// The user id (lowercased nickname).
    public var userID: String
    /// Set when the user was refused.
    public var refusal: Refusal?
    /// Addresses created.
    public var created: [String] = []
    /// Addresses removed (deleted, or disabled under the disable policy).
    public var removed: [String] = []
    /// Domains the user left (membership removed).
    public var leftDomains: [String] = []
    /// Addresses that were already right.
    public var unchanged: [String] = []
    /// Domains skipped with the reason (not a team domain, unverified, no admin, limit).
    public var skipped: [String: String] = [:]
    /// The user's previous name, when this sync moved their record after a Launchpad rename
    /// (same claimed identifier, new nickname).
    public var renamedFrom: String?
    /// Hand-made addresses that moved with a renamed user (same address, new owner).
    public var moved: [String] = []
    /// Problems that did not stop the rest of the user's sync (a conflicting alias, a
    /// notice that could not be sent).
    public var problems: [String] = []

    /// An empty report for `userID`.
    public init(userID: String) { self.userID = userID }

    /// Adds what `other` (a part of the same user's sync) did.
    public mutating func merge(_ other: UserSyncReport) {
        created += other.created
        removed += other.removed
        leftDomains += other.leftDomains
        moved += other.moved
        unchanged += other.unchanged
        skipped.merge(other.skipped) { _, new in new }
        problems += other.problems
    }

    /// True when the sync changed nothing.
    public var changedNothing: Bool {
        created.isEmpty && removed.isEmpty && leftDomains.isEmpty && moved.isEmpty && renamedFrom == nil
    }
}
