import Foundation

/// Normalization of user-supplied identifiers and URL comparison (section 7.2).
public enum OpenIDIdentifier {
    /// The normalized form of what a user typed: `http://` added when there is no scheme,
    /// scheme and host lowercased, default port and fragment removed, an empty path as `/`.
    /// - Throws: ``OpenIDError/unsupportedIdentifier`` for XRIs,
    ///   ``OpenIDError/invalidIdentifier`` for anything that is not an http(s) URL.
    public static func normalize(_ input: String) throws(OpenIDError) -> String {
        var text = trimmed(input)
        if text.lowercased().hasPrefix("xri://") { text = String(text.dropFirst(6)) }
        if let first = text.first, "=@+$!(".contains(first) {
            throw OpenIDError.unsupportedIdentifier
        }
        let lowered = text.lowercased()
        if !lowered.hasPrefix("http://") && !lowered.hasPrefix("https://") { text = "http://" + text }
        guard let normalized = normalizedURL(text) else { throw OpenIDError.invalidIdentifier }
        return normalized
    }

    /// `url` normalized for comparison (same rules as ``normalize(_:)``, no scheme added), or
    /// nil when it is not an absolute http(s) URL with a host.
    public static func normalizedURL(_ url: String) -> String? {
        guard url.utf8.count <= 4096, !url.contains(where: { $0.isWhitespace }),
              var components = URLComponents(string: url),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else { return nil }
        components.scheme = scheme
        components.host = host.lowercased()
        if (scheme == "http" && components.port == 80) || (scheme == "https" && components.port == 443) { components.port = nil }
        if components.percentEncodedPath.isEmpty { components.percentEncodedPath = "/" }
        components.fragment = nil
        return components.string
    }

    /// `text` without leading and trailing ASCII whitespace (a byte scan; Foundation's
    /// trimming showed up in verification profiles).
    static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return text }
        return String(text[first...last])
    }

    /// `identifier` without its fragment (claimed identifiers may carry one, section 11.5.2).
    static func removingFragment(_ identifier: String) -> String {
        identifier.firstIndex(of: "#").map { String(identifier[..<$0]) } ?? identifier
    }
}
