import CommunityMailSystem

public import Foundation
import HTTPTransport

/// Where the web service lives: production, staging, or any URL (a test server).
///
/// Launchpad's documentation writes the root with its version
/// (`https://api.launchpad.net/1.0/`); such a URL is accepted: a last path segment that
/// names a published version (`beta`, `1.0`, `devel`) is taken off ``url`` and kept as
/// ``apiVersion``, which ``LaunchpadWebServiceClient`` then uses (and refuses to
/// contradict).
public struct LaunchpadServiceRoot: Sendable, Hashable, CustomStringConvertible {
    /// The root URL, always ending in `/`, without any version segment.
    public let url: URL
    /// The version the given URL ended in, if any.
    public let apiVersion: LaunchpadAPIVersion?

    /// A root from a URL; a missing trailing `/` is added, and a last segment naming a
    /// published version moves to ``apiVersion``.
    /// - Throws: ``LaunchpadError/invalidConfiguration`` unless `url` is absolute http(s)
    ///   with a host and no user info, query or fragment.
    public init(_ url: URL) throws {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: true),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty, components.query == nil, components.fragment == nil,
              components.user == nil, components.password == nil
        else {
            // User info would go into every request URL and the OAuth realm.
            throw LaunchpadError.invalidConfiguration.with(
                message: "a Launchpad service root must be an absolute http(s) URL without user info or query: \(url.redactedForLogs)")
        }
        components.scheme = scheme
        components.host = host.lowercased()
        var segments = components.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let version = segments.last.flatMap { last in LaunchpadAPIVersion.published.first { $0.rawValue == last } }
        if version != nil { segments.removeLast() }
        components.path = "/" + segments.map { $0 + "/" }.joined()
        guard let normalized = components.url else {
            throw LaunchpadError.invalidConfiguration.with(message: "unusable service root \(url.redactedForLogs)")
        }
        self.url = normalized
        self.apiVersion = version
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
        self.apiVersion = nil
    }

    /// `https://api.launchpad.net/`.
    public static let production = LaunchpadServiceRoot(trusted: "https://api.launchpad.net/")
    /// `https://api.staging.launchpad.net/`.
    public static let staging = LaunchpadServiceRoot(trusted: "https://api.staging.launchpad.net/")

    /// The root URL as text (without the version).
    public var description: String { url.absoluteString }

    /// True when the host is a loopback name or address (`localhost`, `127.0.0.0/8` in any
    /// spelling, `::1`, an IPv4-mapped `127.x`).
    public var isLoopback: Bool {
        guard let host = URLComponents(url: url, resolvingAgainstBaseURL: false)?.host?.lowercased() else { return false }
        return host == "localhost" || InternetAddress(host: host)?.isLoopback == true
    }

    /// True when what is sent to the root cannot be read on the way: https, or plain http
    /// that never leaves the machine (loopback).
    public var protectsSecretsInTransit: Bool { url.scheme == "https" || isLoopback }

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
