internal import CommunityMailCOpenSSL

/// A TLS protocol version this module will negotiate. Older versions (SSL 3, TLS 1.0 and
/// 1.1) are not offered at all: RFC 8996 retired them.
public enum TLSProtocolVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// TLS 1.2 (RFC 5246).
    case tls12
    /// TLS 1.3 (RFC 8446).
    case tls13

    /// OpenSSL's number for the version (`TLS1_2_VERSION`, `TLS1_3_VERSION`).
    var openSSLValue: Int32 {
        switch self {
        case .tls12: TLS1_2_VERSION
        case .tls13: TLS1_3_VERSION
        }
    }

    /// `TLSv1.2` or `TLSv1.3`, as OpenSSL spells them.
    public var description: String {
        switch self {
        case .tls12: "TLSv1.2"
        case .tls13: "TLSv1.3"
        }
    }
}
