/// A SEARCH command: the charset, ESEARCH's RETURN options (RFC 4731, RFC 9051), the key.
public struct IMAPSearchCommand: Sendable, Hashable {
    /// The CHARSET given, uppercased; nil when none (US-ASCII, or UTF-8 in IMAP4rev2).
    public var charset: String?
    /// The RETURN options; nil when no RETURN was given (IMAP4rev1's SEARCH response), empty
    /// for `RETURN ()` (which means ALL).
    public var returnOptions: [IMAPSearchReturnOption]?
    /// The criteria: the keys of the command, AND-ed.
    public var key: IMAPSearchKey

    /// A SEARCH from its parts.
    public init(charset: String? = nil, returnOptions: [IMAPSearchReturnOption]? = nil, key: IMAPSearchKey) {
        self.charset = charset
        self.returnOptions = returnOptions
        self.key = key
    }
}

/// An ESEARCH RETURN option (RFC 4731, RFC 5182 SAVE).
public enum IMAPSearchReturnOption: String, Sendable, Hashable, CaseIterable {
    /// MIN.
    case min = "MIN"
    /// MAX.
    case max = "MAX"
    /// ALL.
    case all = "ALL"
    /// COUNT.
    case count = "COUNT"
    /// SAVE (RFC 5182).
    case save = "SAVE"
}

/// A search key (RFC 9051 section 6.4.4 and RFC 3501 section 6.4.4, RFC 7162 MODSEQ).
/// Strings are decoded by the command's charset.
public indirect enum IMAPSearchKey: Sendable, Hashable {
    /// ALL.
    case all
    /// ANSWERED.
    case answered
    /// DELETED.
    case deleted
    /// DRAFT.
    case draft
    /// FLAGGED.
    case flagged
    /// SEEN.
    case seen
    /// UNANSWERED.
    case unanswered
    /// UNDELETED.
    case undeleted
    /// UNDRAFT.
    case undraft
    /// UNFLAGGED.
    case unflagged
    /// UNSEEN.
    case unseen
    /// NEW (IMAP4rev1: RECENT UNSEEN).
    case new
    /// OLD (IMAP4rev1: NOT RECENT).
    case old
    /// RECENT (IMAP4rev1).
    case recent
    /// KEYWORD flag.
    case keyword(String)
    /// UNKEYWORD flag.
    case unkeyword(String)
    /// BCC string.
    case bcc(String)
    /// BODY string.
    case body(String)
    /// CC string.
    case cc(String)
    /// FROM string.
    case from(String)
    /// SUBJECT string.
    case subject(String)
    /// TEXT string.
    case text(String)
    /// TO string.
    case to(String)
    /// HEADER field-name string.
    case header(String, String)
    /// BEFORE date (internal date).
    case before(IMAPDate)
    /// ON date (internal date).
    case on(IMAPDate)
    /// SINCE date (internal date).
    case since(IMAPDate)
    /// SENTBEFORE date (Date: header).
    case sentBefore(IMAPDate)
    /// SENTON date.
    case sentOn(IMAPDate)
    /// SENTSINCE date.
    case sentSince(IMAPDate)
    /// LARGER n.
    case larger(UInt64)
    /// SMALLER n.
    case smaller(UInt64)
    /// UID sequence-set.
    case uid(IMAPSequenceSet)
    /// A bare sequence set (message sequence numbers).
    case sequenceSet(IMAPSequenceSet)
    /// MODSEQ [entry-name entry-type] mod-sequence-valzer (RFC 7162 section 3.1.5).
    case modSeq(UInt64, entry: IMAPModSeqEntry?)
    /// NOT key.
    case not(IMAPSearchKey)
    /// OR key key.
    case or(IMAPSearchKey, IMAPSearchKey)
    /// Several keys, all of which must match (a parenthesised list, or a command's keys).
    case and([IMAPSearchKey])
}

/// The optional `"/flags/\\Seen" all` part of a MODSEQ search key.
public struct IMAPModSeqEntry: Sendable, Hashable {
    /// The entry name (`/flags/\Seen`).
    public var name: String
    /// `priv`, `shared` or `all`.
    public var type: String

    /// An entry from its parts.
    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}
