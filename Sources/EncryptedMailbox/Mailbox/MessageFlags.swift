/// The IMAP system flags of a message (RFC 3501 section 2.3.2). `\Recent` is session
/// state, kept by the server, not stored.
public struct MessageFlags: OptionSet, Sendable, Hashable {
    /// The bits.
    public let rawValue: Int
    /// Flags from their bits.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `\Seen`: the message has been read.
    public static let seen = MessageFlags(rawValue: 1 << 0)
    /// `\Answered`: the message has been answered.
    public static let answered = MessageFlags(rawValue: 1 << 1)
    /// `\Flagged`: marked for attention.
    public static let flagged = MessageFlags(rawValue: 1 << 2)
    /// `\Deleted`: marked for removal by the next expunge.
    public static let deleted = MessageFlags(rawValue: 1 << 3)
    /// `\Draft`: not yet complete.
    public static let draft = MessageFlags(rawValue: 1 << 4)

    /// Every flag, in IMAP's usual order, with its IMAP name.
    public static let named: [(flag: MessageFlags, name: String)] = [
        (.seen, "\\Seen"), (.answered, "\\Answered"), (.flagged, "\\Flagged"),
        (.deleted, "\\Deleted"), (.draft, "\\Draft"),
    ]

    /// The IMAP names of the flags set, e.g. `["\\Seen", "\\Flagged"]`.
    public var imapNames: [String] { Self.named.filter { contains($0.flag) }.map(\.name) }

    /// The flag with IMAP name `name` (case-insensitive, with its backslash), if it is a system flag.
    public init?(imapName name: String) {
        guard let match = Self.named.first(where: { $0.name.lowercased() == name.lowercased() }) else { return nil }
        self = match.flag
    }

    /// The bits of every valid flag; others are dropped on input.
    static let all: MessageFlags = [.seen, .answered, .flagged, .deleted, .draft]
}
