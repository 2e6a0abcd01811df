/// A LIST command, basic (`LIST "" *`) or extended (RFC 5258): selection options, one or
/// more patterns, RETURN options (RFC 5258, RFC 5819 STATUS, RFC 6154 SPECIAL-USE).
public struct IMAPListCommand: Sendable, Hashable {
    /// The selection options (`(SUBSCRIBED RECURSIVEMATCH)`); empty for a basic LIST.
    public var selectionOptions: [IMAPListSelectionOption]
    /// The reference name (decoded).
    public var reference: String
    /// The mailbox patterns (decoded; `*` and `%` are wildcards).
    public var patterns: [String]
    /// The RETURN options; empty when none were asked for.
    public var returnOptions: [IMAPListReturnOption]

    /// A LIST from its parts.
    public init(
        selectionOptions: [IMAPListSelectionOption] = [], reference: String, patterns: [String],
        returnOptions: [IMAPListReturnOption] = []
    ) {
        self.selectionOptions = selectionOptions
        self.reference = reference
        self.patterns = patterns
        self.returnOptions = returnOptions
    }
}

/// A LIST selection option (RFC 5258 section 3.1, RFC 6154 section 5).
public enum IMAPListSelectionOption: Sendable, Hashable {
    /// SUBSCRIBED.
    case subscribed
    /// REMOTE.
    case remote
    /// RECURSIVEMATCH.
    case recursiveMatch
    /// SPECIAL-USE.
    case specialUse
    /// An option this server does not know (uppercased); RFC 5258 says to BAD it.
    case other(String)
}

/// A LIST RETURN option (RFC 5258 section 3.2, RFC 5819, RFC 6154).
public enum IMAPListReturnOption: Sendable, Hashable {
    /// SUBSCRIBED.
    case subscribed
    /// CHILDREN.
    case children
    /// SPECIAL-USE.
    case specialUse
    /// STATUS (attributes) (RFC 5819).
    case status([IMAPStatusAttribute])
    /// An option this server does not know (uppercased).
    case other(String)
}

/// A STATUS data item (RFC 9051 section 6.3.11, RFC 7162, RFC 8438, RFC 7889).
public enum IMAPStatusAttribute: String, Sendable, Hashable, CaseIterable {
    /// MESSAGES.
    case messages = "MESSAGES"
    /// UIDNEXT.
    case uidNext = "UIDNEXT"
    /// UIDVALIDITY.
    case uidValidity = "UIDVALIDITY"
    /// UNSEEN.
    case unseen = "UNSEEN"
    /// DELETED (RFC 9051).
    case deleted = "DELETED"
    /// SIZE (RFC 8438; RFC 9051).
    case size = "SIZE"
    /// RECENT (IMAP4rev1 only).
    case recent = "RECENT"
    /// HIGHESTMODSEQ (RFC 7162).
    case highestModSeq = "HIGHESTMODSEQ"
    /// APPENDLIMIT (RFC 7889).
    case appendLimit = "APPENDLIMIT"
}
