/// A response the server sends (RFC 9051 section 7): what ``IMAPResponseEncoder`` writes.
public enum IMAPResponse: Sendable, Hashable {
    /// The tagged completion of a command: `a1 OK [code] text`.
    case tagged(tag: String, IMAPStatusResponse)
    /// Untagged data or an untagged condition (`* ...`).
    case untagged(IMAPResponseData)
    /// A continuation request: `+ text`, or `+ base64` for a SASL challenge.
    case continuation(IMAPContinuation)
}

/// The text after `+`.
public enum IMAPContinuation: Sendable, Hashable {
    /// Human-readable text (`+ Ready for literal data`).
    case text(String)
    /// A SASL challenge, sent in base64 (`+ ` alone for an empty one).
    case challenge([UInt8])
}

/// A status: the result of a command, or an untagged condition.
public enum IMAPStatus: String, Sendable, Hashable {
    /// OK.
    case ok = "OK"
    /// NO.
    case no = "NO"
    /// BAD.
    case bad = "BAD"
    /// PREAUTH (greeting only).
    case preauth = "PREAUTH"
    /// BYE.
    case bye = "BYE"
}

/// `OK/NO/BAD/PREAUTH/BYE [code] text`.
public struct IMAPStatusResponse: Sendable, Hashable {
    /// The status.
    public var status: IMAPStatus
    /// The response code, when one applies.
    public var code: IMAPResponseCode?
    /// The human-readable text (CR and LF are replaced with spaces when written).
    public var text: String

    /// A status response from its parts.
    public init(status: IMAPStatus, code: IMAPResponseCode? = nil, text: String) {
        self.status = status
        self.code = code
        self.text = text
    }
}

/// A response code (RFC 9051 section 7.1 and the extensions' codes).
public enum IMAPResponseCode: Sendable, Hashable {
    /// ALERT.
    case alert
    /// BADCHARSET (charsets).
    case badCharset([String])
    /// CAPABILITY (names).
    case capability([String])
    /// PARSE.
    case parse
    /// PERMANENTFLAGS (flags; `\*` allows new keywords).
    case permanentFlags([String])
    /// READ-ONLY.
    case readOnly
    /// READ-WRITE.
    case readWrite
    /// TRYCREATE.
    case tryCreate
    /// UIDNEXT n.
    case uidNext(UInt32)
    /// UIDVALIDITY n.
    case uidValidity(UInt32)
    /// UNSEEN n (IMAP4rev1).
    case unseen(UInt32)
    /// APPENDUID uidvalidity uids (RFC 4315).
    case appendUID(uidValidity: UInt32, uids: IMAPSequenceSet)
    /// COPYUID uidvalidity source-uids destination-uids (RFC 4315).
    case copyUID(uidValidity: UInt32, source: IMAPSequenceSet, destination: IMAPSequenceSet)
    /// UIDNOTSTICKY (RFC 4315).
    case uidNotSticky
    /// HIGHESTMODSEQ n (RFC 7162).
    case highestModSeq(UInt64)
    /// NOMODSEQ (RFC 7162).
    case noModSeq
    /// MODIFIED set (RFC 7162).
    case modified(IMAPSequenceSet)
    /// CLOSED (RFC 7162).
    case closed
    /// TOOBIG (RFC 4469, RFC 9051).
    case tooBig
    /// LIMIT (RFC 5530).
    case limit
    /// OVERQUOTA (RFC 5530).
    case overQuota
    /// AUTHENTICATIONFAILED.
    case authenticationFailed
    /// AUTHORIZATIONFAILED.
    case authorizationFailed
    /// UNAVAILABLE.
    case unavailable
    /// NONEXISTENT.
    case nonExistent
    /// ALREADYEXISTS.
    case alreadyExists
    /// CANNOT.
    case cannot
    /// INUSE.
    case inUse
    /// SERVERBUG.
    case serverBug
    /// CLIENTBUG.
    case clientBug
    /// NOPERM.
    case noPerm
    /// PRIVACYREQUIRED.
    case privacyRequired
    /// CONTACTADMIN.
    case contactAdmin
    /// EXPUNGEISSUED.
    case expungeIssued
    /// CORRUPTION.
    case corruption
    /// HASCHILDREN.
    case hasChildren
    /// EXPIRED.
    case expired
    /// UNKNOWN-CTE (RFC 3516): BINARY cannot decode the part's transfer encoding.
    case unknownCTE
    /// USEATTR (RFC 6154).
    case useAttribute
    /// NOTSAVED (RFC 5182).
    case notSaved
    /// A code this type does not name: its atom and, when it has one, its argument text.
    case other(String, String?)
}

/// Untagged data and conditions (`* ...`).
public enum IMAPResponseData: Sendable, Hashable {
    /// `* OK/NO/BAD/PREAUTH/BYE [code] text`.
    case condition(IMAPStatusResponse)
    /// `* CAPABILITY ...`.
    case capability([String])
    /// `* ENABLED ...` (RFC 5161).
    case enabled([String])
    /// `* FLAGS (...)`.
    case flags([String])
    /// `* n EXISTS`.
    case exists(UInt32)
    /// `* n RECENT` (IMAP4rev1 only).
    case recent(UInt32)
    /// `* n EXPUNGE`.
    case expunge(UInt32)
    /// `* VANISHED [(EARLIER)] uids` (RFC 7162).
    case vanished(earlier: Bool, uids: IMAPSequenceSet)
    /// `* LIST (...) "/" name [extended data]`.
    case list(IMAPListItem)
    /// `* LSUB (...) "/" name`.
    case lsub(IMAPListItem)
    /// `* STATUS name (...)`.
    case status(mailbox: String, values: [IMAPStatusValue])
    /// `* SEARCH n...` (IMAP4rev1), with `(MODSEQ n)` when CONDSTORE asked for it.
    case search([UInt32], modSeq: UInt64?)
    /// `* ESEARCH ...` (RFC 4731, RFC 9051).
    case esearch(IMAPESearchResponse)
    /// `* n FETCH (...)`.
    case fetch(UInt32, [IMAPFetchItem])
    /// `* ID (...)` or `* ID NIL` (RFC 2971).
    case id([IMAPIDField]?)
    /// `* NAMESPACE personal other shared` (RFC 2342).
    case namespace(personal: [IMAPNamespace]?, otherUsers: [IMAPNamespace]?, shared: [IMAPNamespace]?)
    /// `* QUOTA root (resource usage limit ...)` (RFC 9208).
    case quota(root: String, resources: [IMAPQuotaResource])
    /// `* QUOTAROOT mailbox root...` (RFC 9208).
    case quotaRoot(mailbox: String, roots: [String])
}

/// One `attribute value` pair of a STATUS response.
public struct IMAPStatusValue: Sendable, Hashable {
    /// The attribute.
    public var attribute: IMAPStatusAttribute
    /// Its value.
    public var value: UInt64
    /// A pair from its parts.
    public init(_ attribute: IMAPStatusAttribute, _ value: UInt64) {
        self.attribute = attribute
        self.value = value
    }
}

/// One resource of a QUOTA response: name, usage, limit.
public struct IMAPQuotaResource: Sendable, Hashable {
    /// The resource name (`STORAGE`).
    public var name: String
    /// The usage (STORAGE in units of 1024 octets).
    public var usage: UInt64
    /// The limit.
    public var limit: UInt64
    /// A resource from its parts.
    public init(name: String, usage: UInt64, limit: UInt64) {
        self.name = name
        self.usage = usage
        self.limit = limit
    }
}

/// One namespace of a NAMESPACE response: its prefix and hierarchy delimiter.
public struct IMAPNamespace: Sendable, Hashable {
    /// The prefix (`""` for the personal namespace).
    public var prefix: String
    /// The hierarchy delimiter, or nil for a flat namespace.
    public var delimiter: Character?
    /// A namespace from its parts.
    public init(prefix: String, delimiter: Character?) {
        self.prefix = prefix
        self.delimiter = delimiter
    }
}

/// A LIST or LSUB line: attributes, delimiter, name, extended data (RFC 5258 CHILDINFO,
/// RFC 9051 OLDNAME).
public struct IMAPListItem: Sendable, Hashable {
    /// The attributes (`\HasNoChildren`, `\Sent`...).
    public var attributes: [String]
    /// The hierarchy delimiter, or nil.
    public var delimiter: Character?
    /// The mailbox name (encoded for the client when written).
    public var name: String
    /// `CHILDINFO ("SUBSCRIBED")` (RFC 5258 section 3.5), when any.
    public var childInfo: [String]
    /// `OLDNAME (name)` (RFC 9051 section 6.3.9.7), when any.
    public var oldName: String?

    /// An item from its parts.
    public init(attributes: [String], delimiter: Character?, name: String, childInfo: [String] = [], oldName: String? = nil) {
        self.attributes = attributes
        self.delimiter = delimiter
        self.name = name
        self.childInfo = childInfo
        self.oldName = oldName
    }
}

/// An ESEARCH response (RFC 4731, RFC 9051 section 7.3.4).
public struct IMAPESearchResponse: Sendable, Hashable {
    /// The tag of the SEARCH it answers.
    public var tag: String?
    /// True for UID SEARCH.
    public var uid: Bool
    /// MIN, when asked for and any message matched.
    public var min: UInt32?
    /// MAX.
    public var max: UInt32?
    /// ALL, as a sequence set.
    public var all: IMAPSequenceSet?
    /// COUNT.
    public var count: UInt32?
    /// MODSEQ (RFC 7162), when CONDSTORE asked for it.
    public var modSeq: UInt64?

    /// A response from its parts.
    public init(
        tag: String?, uid: Bool, min: UInt32? = nil, max: UInt32? = nil, all: IMAPSequenceSet? = nil, count: UInt32? = nil,
        modSeq: UInt64? = nil
    ) {
        self.tag = tag
        self.uid = uid
        self.min = min
        self.max = max
        self.all = all
        self.count = count
        self.modSeq = modSeq
    }
}
