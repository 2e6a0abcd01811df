import Foundation
import HTTPTransport

/// Where the web service lives: production, staging, or any URL (a test server).
public struct LaunchpadServiceRoot: Sendable, Hashable, CustomStringConvertible {
    /// The root URL, always ending in `/`.
    public let url: URL

    /// A root from a URL; a missing trailing `/` is added.
    /// - Throws: ``LaunchpadError/invalidConfiguration`` unless `url` is absolute http(s)
    ///   with a host and no query or fragment.
    public init(_ url: URL) throws {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: true),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty, components.query == nil, components.fragment == nil
        else {
            throw LaunchpadError.invalidConfiguration.with(
                message: "a Launchpad service root must be an absolute http(s) URL without query: \(url.redactedForLogs)")
        }
        components.scheme = scheme
        components.host = host.lowercased()
        if !components.path.hasSuffix("/") { components.path += "/" }
        guard let normalized = components.url else {
            throw LaunchpadError.invalidConfiguration.with(message: "unusable service root \(url.redactedForLogs)")
        }
        self.url = normalized
    }

    /// A root from text such as `https://api.launchpad.net/`.
    /// - Throws: ``LaunchpadError/invalidConfiguration`` for text that is not such a URL.
    public init(string: String) throws {
        guard let url = URL(string: string) else {
            throw LaunchpadError.invalidConfiguration.with(message: "not a URL: \(string)")
        }
        try self.init(url)
    }

    private init(trusted string: String) {
        self.url = URL(string: string)!
    }

    /// `https://api.launchpad.net/`.
    public static let production = LaunchpadServiceRoot(trusted: "https://api.launchpad.net/")
    /// `https://api.staging.launchpad.net/`.
    public static let staging = LaunchpadServiceRoot(trusted: "https://api.staging.launchpad.net/")

    /// The root URL as text.
    public var description: String { url.absoluteString }

    /// The URL of `path` (no leading `/`) under `version`, with an optional query.
    func url(version: LaunchpadAPIVersion, path: String, query: [(String, String)] = []) -> URL {
        var text = url.absoluteString + version.rawValue + "/" + path
        if !query.isEmpty { text += "?" + FormURLEncoding.encode(query) }
        return URL(string: text)!
    }

    /// True when `link` is under this root's `version`: same scheme, host and port, and a
    /// path that starts with `<root path><version>/`. Links outside are never followed.
    func contains(_ link: URL, version: LaunchpadAPIVersion) -> Bool {
        guard let root = URLComponents(url: url, resolvingAgainstBaseURL: false),
              let other = URLComponents(url: link, resolvingAgainstBaseURL: true),
              other.scheme?.lowercased() == root.scheme, other.host?.lowercased() == root.host,
              other.effectivePort == root.effectivePort, other.user == nil, other.password == nil
        else { return false }
        let prefix = root.path + version.rawValue + "/"
        let path = other.path
        return path.hasPrefix(prefix) && !path.split(separator: "/").contains("..")
    }
}
