import Foundation

/// Realm (trust root) matching, section 9.2: same scheme, the realm's host or (for
/// `*.` wildcards) a subdomain of it, the same port, and a path under the realm's path.
public enum OpenIDRealm {
    /// True when `returnTo` falls under `realm`.
    public static func matches(realm: String, returnTo: String) -> Bool {
        var realmText = realm
        var wildcard = false
        if let range = realmText.range(of: "://*.") {
            wildcard = true
            realmText.replaceSubrange(range, with: "://")
        }
        guard let realmURL = URLComponents(string: realmText), let target = URLComponents(string: returnTo),
              realmURL.fragment == nil,
              let scheme = realmURL.scheme?.lowercased(), scheme == target.scheme?.lowercased(),
              let realmHost = realmURL.host?.lowercased(), let host = target.host?.lowercased()
        else { return false }
        if wildcard {
            guard host == realmHost || host.hasSuffix("." + realmHost) else { return false }
        } else if host != realmHost {
            return false
        }
        let defaultPort = scheme == "https" ? 443 : 80
        guard (realmURL.port ?? defaultPort) == (target.port ?? defaultPort) else { return false }
        let realmPath = realmURL.percentEncodedPath.isEmpty ? "/" : realmURL.percentEncodedPath
        let path = target.percentEncodedPath.isEmpty ? "/" : target.percentEncodedPath
        if path == realmPath { return true }
        guard path.hasPrefix(realmPath) else { return false }
        return realmPath.hasSuffix("/") || path.dropFirst(realmPath.count).first == "/"
    }
}
