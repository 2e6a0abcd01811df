/// The prefix of a mechanism, and the verdict it gives when the mechanism matches
/// (RFC 7208 section 4.6.2).
enum SPFQualifier: UInt8, Hashable, Sendable {
    /// `+` (the default): pass.
    case pass = 0x2B
    /// `-`: fail.
    case fail = 0x2D
    /// `~`: softfail.
    case softfail = 0x7E
    /// `?`: neutral.
    case neutral = 0x3F

    /// The verdict a match gives.
    var verdict: SPFResult.Verdict {
        switch self {
        case .pass: .pass
        case .fail: .fail
        case .softfail: .softfail
        case .neutral: .neutral
        }
    }

    /// The character as written in a record.
    var symbol: String { String(UnicodeScalar(rawValue)) }
}
