/// One `%{letter digits r delimiters}` macro (RFC 7208 section 7.1).
struct SPFMacro: Hashable, Sendable {
    /// The value a macro letter stands for.
    enum Letter: UInt8, Hashable, Sendable {
        /// `s`: the sender, `local@domain`.
        case sender = 0x73
        /// `l`: the sender's local-part.
        case localPart = 0x6C
        /// `o`: the sender's domain.
        case senderDomain = 0x6F
        /// `d`: the domain being checked (changes with include and redirect).
        case domain = 0x64
        /// `i`: the client address (dotted quad, or dot-separated nibbles for IPv6).
        case ip = 0x69
        /// `p`: a validated reverse name of the client, or `unknown`.
        case validatedName = 0x70
        /// `v`: `in-addr` or `ip6`.
        case ipVersion = 0x76
        /// `h`: the HELO name.
        case helo = 0x68
        /// `c`: the client address in its usual text form (explanations only).
        case clientText = 0x63
        /// `r`: the receiving host's name (explanations only).
        case receiver = 0x72
        /// `t`: the current time in seconds since the epoch (explanations only).
        case timestamp = 0x74

        /// True for `c`, `r` and `t`, which only explanation text may use.
        var isExplanationOnly: Bool { self == .clientText || self == .receiver || self == .timestamp }
    }

    /// The value.
    var letter: Letter
    /// Written in upper case: the expansion is URL-escaped.
    var escapes: Bool
    /// How many right-hand parts to keep (nil: all).
    var rightmostParts: Int?
    /// Reverse the parts before keeping the right-hand ones.
    var reverses: Bool
    /// The characters the value is split on; `.` when none are given.
    var delimiters: [UInt8]
}
