/// Who may see a person or team: Launchpad's `visibility` field.
///
/// Kept as the raw token so that a value Launchpad adds later is carried, not refused.
public struct LaunchpadVisibility: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The token as Launchpad spells it (`Public`, `Private`).
    public let rawValue: String

    /// A visibility from its token.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Anyone may see it.
    public static let `public` = LaunchpadVisibility(rawValue: "Public")
    /// Only members and administrators may see it.
    public static let `private` = LaunchpadVisibility(rawValue: "Private")

    /// The token.
    public var description: String { rawValue }
}
