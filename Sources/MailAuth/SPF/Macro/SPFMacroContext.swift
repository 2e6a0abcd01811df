/// The values macros expand to during one check (RFC 7208 section 7.2). `d` changes
/// with include and redirect; `p` is filled in only when a macro needs it.
struct SPFMacroContext: Sendable {
    /// `s`: `local@domain`.
    var sender: String
    /// `l`.
    var localPart: String
    /// `o`.
    var senderDomain: String
    /// `d`.
    var domain: String
    /// `i`: dotted quad, or 32 dot-separated hex nibbles for IPv6.
    var ip: String
    /// `p`, once looked up; `unknown` when no name validates.
    var validatedName: String?
    /// `v`: `in-addr` or `ip6`.
    var ipVersion: String
    /// `h`.
    var helo: String
    /// `c`.
    var clientText: String
    /// `r`.
    var receiver: String
    /// `t`.
    var timestamp: String

    /// The raw value of `letter`.
    func value(of letter: SPFMacro.Letter) -> String {
        switch letter {
        case .sender: sender
        case .localPart: localPart
        case .senderDomain: senderDomain
        case .domain: domain
        case .ip: ip
        case .validatedName: validatedName ?? "unknown"
        case .ipVersion: ipVersion
        case .helo: helo
        case .clientText: clientText
        case .receiver: receiver
        case .timestamp: timestamp
        }
    }
}
