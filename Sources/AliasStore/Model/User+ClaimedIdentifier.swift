import Foundation

extension User {
    /// OpenID claimed identifiers are URLs; 2,048 bytes is more than any provider issues.
    public static let maximumClaimedIdentifierLength = 2048

    /// Whether `text` can be a stored claimed identifier: an http(s) URL with a host, in
    /// printable ASCII without spaces (it is compared byte for byte), at most
    /// ``maximumClaimedIdentifierLength`` bytes. The one rule for the store and for sign-ins,
    /// so a stored identifier always passes the sync's own checks.
    public static func isValidClaimedIdentifier(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= maximumClaimedIdentifierLength, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }),
              let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = url.host, !host.isEmpty
        else { return false }
        return true
    }
}
