/// The version segment of the web service's URLs.
public struct LaunchpadAPIVersion: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The segment, e.g. `1.0`.
    public let rawValue: String

    /// A version from its segment. Nil for text that is not one URL path segment.
    public init?(rawValue: String) {
        guard !rawValue.isEmpty, rawValue.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else {
            return nil
        }
        self.rawValue = rawValue
    }

    /// The first published version, kept for old clients.
    public static let beta = LaunchpadAPIVersion(rawValue: "beta")!
    /// The stable version: collections carry `total_size`.
    public static let v1_0 = LaunchpadAPIVersion(rawValue: "1.0")!
    /// The development version: large collections carry `total_size_link` instead.
    public static let devel = LaunchpadAPIVersion(rawValue: "devel")!

    /// The versions Launchpad publishes: a service root ending in one of them names it.
    public static let published: [LaunchpadAPIVersion] = [.beta, .v1_0, .devel]

    /// The segment.
    public var description: String { rawValue }
}
