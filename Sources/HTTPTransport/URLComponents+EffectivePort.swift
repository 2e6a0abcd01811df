public import Foundation

extension URLComponents {
    /// The port a request to these components reaches: the explicit port, else the
    /// scheme's default (443 for https, 80 for http), else nil. For comparing origins,
    /// where `https://host/` and `https://host:443/` are the same.
    public var effectivePort: Int? {
        if let port { return port }
        switch scheme?.lowercased() {
        case "https": return 443
        case "http": return 80
        default: return nil
        }
    }
}
