/// One IMAP command as a client sent it (RFC 9051 and RFC 3501, with the extensions
/// MailAccess offers), typed: what ``IMAPCommandParser`` produces. Mailbox names are
/// already decoded (modified UTF-7, or UTF-8 once UTF-8 names are on); `INBOX` in any case
/// is `INBOX`.
public struct IMAPCommand: Sendable, Hashable {
    /// The client's tag, echoed in the tagged reply.
    public var tag: String
    /// What the client asks for.
    public var kind: Kind

    /// A command from its tag and kind.
    public init(tag: String, kind: Kind) {
        self.tag = tag
        self.kind = kind
    }

    /// Every command MailAccess understands. `uid` is true for the `UID` form of a command.
    public enum Kind: Sendable, Hashable {
        /// CAPABILITY.
        case capability
        /// NOOP.
        case noop
        /// LOGOUT.
        case logout
        /// STARTTLS (RFC 9051 section 6.2.1).
        case startTLS
        /// AUTHENTICATE with a SASL mechanism name (uppercased) and, with SASL-IR (RFC 4959),
        /// the decoded initial response (empty for `=`).
        case authenticate(mechanism: String, initialResponse: IMAPSecret?)
        /// LOGIN with a user name and a password.
        case login(username: String, password: IMAPSecret)
        /// ENABLE (RFC 5161) with the capability names as sent.
        case enable([String])
        /// ID (RFC 2971): nil for `ID NIL`.
        case id([IMAPIDField]?)
        /// SELECT.
        case select(mailbox: String, parameters: IMAPSelectParameters)
        /// EXAMINE.
        case examine(mailbox: String, parameters: IMAPSelectParameters)
        /// CREATE, with the special-use attributes of `USE (...)` (RFC 6154 section 3).
        case create(mailbox: String, specialUse: [String])
        /// DELETE.
        case delete(mailbox: String)
        /// RENAME.
        case rename(from: String, to: String)
        /// SUBSCRIBE.
        case subscribe(mailbox: String)
        /// UNSUBSCRIBE.
        case unsubscribe(mailbox: String)
        /// LIST, basic or extended (RFC 5258, RFC 5819, RFC 6154).
        case list(IMAPListCommand)
        /// LSUB (IMAP4rev1; RFC 9051 keeps it deprecated).
        case lsub(reference: String, pattern: String)
        /// NAMESPACE (RFC 2342).
        case namespace
        /// STATUS with the attributes asked for.
        case status(mailbox: String, attributes: [IMAPStatusAttribute])
        /// APPEND one message, or several with MULTIAPPEND (RFC 3502).
        case append(mailbox: String, messages: [IMAPAppendMessage])
        /// IDLE (RFC 2177): the session then waits for `DONE`.
        case idle
        /// CHECK (IMAP4rev1).
        case check
        /// CLOSE.
        case close
        /// UNSELECT (RFC 3691).
        case unselect
        /// EXPUNGE.
        case expunge
        /// UID EXPUNGE (RFC 4315).
        case uidExpunge(IMAPSequenceSet)
        /// SEARCH or UID SEARCH.
        case search(IMAPSearchCommand, uid: Bool)
        /// FETCH or UID FETCH, with CONDSTORE/QRESYNC modifiers. The items the RFCs imply
        /// are already added: UID for UID FETCH, MODSEQ with CHANGEDSINCE.
        case fetch(IMAPSequenceSet, attributes: [IMAPFetchAttribute], modifiers: IMAPFetchModifiers, uid: Bool)
        /// STORE or UID STORE, with UNCHANGEDSINCE (RFC 7162).
        case store(IMAPSequenceSet, action: IMAPStoreAction, unchangedSince: UInt64?, uid: Bool)
        /// COPY or UID COPY.
        case copy(IMAPSequenceSet, mailbox: String, uid: Bool)
        /// MOVE or UID MOVE (RFC 6851).
        case move(IMAPSequenceSet, mailbox: String, uid: Bool)
        /// GETQUOTA (RFC 9208) of a quota root.
        case getQuota(root: String)
        /// GETQUOTAROOT (RFC 9208) of a mailbox.
        case getQuotaRoot(mailbox: String)
        /// SETQUOTA (RFC 9208): resource names (uppercased) and limits.
        case setQuota(root: String, limits: [IMAPQuotaLimit])
    }
}

/// Bytes a client sent as a credential (a password, a SASL response): compared and
/// handed on, never printed (its description hides the content).
public struct IMAPSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The bytes as sent (after base64 decoding, for SASL).
    public var bytes: [UInt8]
    /// A secret of `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    /// Never the content.
    public var description: String { "<secret: \(bytes.count) bytes>" }
    /// Never the content.
    public var debugDescription: String { description }
}

/// One field of an ID command or response (RFC 2971): a name and a value or NIL.
public struct IMAPIDField: Sendable, Hashable {
    /// The field name (`name`, `version`, ...).
    public var name: String
    /// The value, nil for NIL.
    public var value: String?
    /// A field of `name` and `value`.
    public init(name: String, value: String?) {
        self.name = name
        self.value = value
    }
}

/// One `resource limit` pair of SETQUOTA or a QUOTA response's limit.
public struct IMAPQuotaLimit: Sendable, Hashable {
    /// The resource name, uppercased (`STORAGE`, `MESSAGE`, ...).
    public var resource: String
    /// The limit (for STORAGE, in units of 1024 octets).
    public var limit: UInt64
    /// A limit of `limit` on `resource`.
    public init(resource: String, limit: UInt64) {
        self.resource = resource
        self.limit = limit
    }
}
