/// The state of one team membership: Launchpad's `status` field of a `team_membership`.
///
/// Kept as the raw token so that a state Launchpad adds later is carried, not refused.
public struct LaunchpadMembershipStatus: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The token as Launchpad spells it (`Approved`, `Administrator`, ...).
    public let rawValue: String

    /// A status from its token.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// An active member.
    public static let approved = LaunchpadMembershipStatus(rawValue: "Approved")
    /// An active member who administers the team.
    public static let administrator = LaunchpadMembershipStatus(rawValue: "Administrator")
    /// Asked to join; not yet a member.
    public static let proposed = LaunchpadMembershipStatus(rawValue: "Proposed")
    /// Invited (a team invited to join another); not yet a member.
    public static let invited = LaunchpadMembershipStatus(rawValue: "Invited")
    /// The application was declined.
    public static let declined = LaunchpadMembershipStatus(rawValue: "Declined")
    /// The membership ran out.
    public static let expired = LaunchpadMembershipStatus(rawValue: "Expired")
    /// The member left or was removed.
    public static let deactivated = LaunchpadMembershipStatus(rawValue: "Deactivated")
    /// The invited team declined.
    public static let invitationDeclined = LaunchpadMembershipStatus(rawValue: "Invitation declined")

    /// True for the states that make someone a member: approved or administrator.
    public var isActive: Bool { self == .approved || self == .administrator }

    /// The token.
    public var description: String { rawValue }
}
