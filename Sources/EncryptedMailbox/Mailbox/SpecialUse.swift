/// A folder's special use (RFC 6154), so clients know where to file sent mail, drafts,
/// deleted mail and junk. INBOX is listed here too because every mailbox has exactly one.
public enum SpecialUse: String, Sendable, Hashable, CaseIterable {
    /// The inbox, always named `INBOX`.
    case inbox = "\\Inbox"
    /// `\Sent`: copies of sent messages.
    case sent = "\\Sent"
    /// `\Drafts`: messages being written.
    case drafts = "\\Drafts"
    /// `\Trash`: deleted messages.
    case trash = "\\Trash"
    /// `\Junk`: spam.
    case junk = "\\Junk"
    /// `\Archive`: archived messages.
    case archive = "\\Archive"

    /// The attribute to send in an IMAP LIST response; INBOX carries none (it is known by name).
    public var listAttribute: String? { self == .inbox ? nil : rawValue }

    /// The folder name a new mailbox gives this use.
    public var defaultFolderName: String {
        switch self {
        case .inbox: "INBOX"
        case .sent: "Sent"
        case .drafts: "Drafts"
        case .trash: "Trash"
        case .junk: "Junk"
        case .archive: "Archive"
        }
    }
}
