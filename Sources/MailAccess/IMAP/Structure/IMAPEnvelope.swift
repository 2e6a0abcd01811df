/// An ENVELOPE (RFC 9051 section 7.5.2): the header fields as sent (unfolded, encoded
/// words kept), addresses split into name, route, mailbox and host. Nil is NIL.
public struct IMAPEnvelope: Sendable, Hashable {
    /// The Date field.
    public var date: String?
    /// The Subject field.
    public var subject: String?
    /// From.
    public var from: [IMAPAddress]?
    /// Sender (From when absent or empty).
    public var sender: [IMAPAddress]?
    /// Reply-To (From when absent or empty).
    public var replyTo: [IMAPAddress]?
    /// To.
    public var to: [IMAPAddress]?
    /// Cc.
    public var cc: [IMAPAddress]?
    /// Bcc.
    public var bcc: [IMAPAddress]?
    /// In-Reply-To.
    public var inReplyTo: String?
    /// Message-ID.
    public var messageID: String?

    /// An envelope from its parts.
    public init(
        date: String? = nil, subject: String? = nil, from: [IMAPAddress]? = nil, sender: [IMAPAddress]? = nil,
        replyTo: [IMAPAddress]? = nil, to: [IMAPAddress]? = nil, cc: [IMAPAddress]? = nil, bcc: [IMAPAddress]? = nil,
        inReplyTo: String? = nil, messageID: String? = nil
    ) {
        self.date = date
        self.subject = subject
        self.from = from
        self.sender = sender
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.inReplyTo = inReplyTo
        self.messageID = messageID
    }
}

/// One address of an ENVELOPE: `(name adl mailbox host)`. A group starts with
/// `(NIL NIL "group" NIL)` and ends with `(NIL NIL NIL NIL)` (RFC 9051 section 7.5.2).
public struct IMAPAddress: Sendable, Hashable {
    /// The display name (phrase), as sent.
    public var name: String?
    /// The source route (`@a,@b`), obsolete.
    public var route: String?
    /// The local part, or the group name at a group's start.
    public var mailbox: String?
    /// The domain; nil at a group's start and end.
    public var host: String?

    /// An address from its parts.
    public init(name: String?, route: String? = nil, mailbox: String?, host: String?) {
        self.name = name
        self.route = route
        self.mailbox = mailbox
        self.host = host
    }

    /// The start of a group called `name`.
    public static func groupStart(_ name: String) -> IMAPAddress { IMAPAddress(name: nil, mailbox: name, host: nil) }

    /// The end of a group.
    public static let groupEnd = IMAPAddress(name: nil, mailbox: nil, host: nil)
}
