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

    /// The stable version: collections carry `total_size`.
    public static let v1_0 = LaunchpadAPIVersion(rawValue: "1.0")!
    /// The development version: large collections carry `total_size_link` instead.
    public static let devel = LaunchpadAPIVersion(rawValue: "devel")!

    /// The segment.
    public var description: String { rawValue }
}
