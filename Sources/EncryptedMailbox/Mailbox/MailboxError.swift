public import CommunityMailSystem

/// An error from the mailbox model: a folder, message, quota, store or file-format problem.
///
/// Errors of the same kind compare equal whatever their messages, so callers match them
/// with `==` against the static values. Messages name folders and counts, never message
/// content, addresses or passphrases.
public struct MailboxError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case folderNotFound, folderExists, invalidFolderName, folderNotRemovable, specialUseTaken
        case invalidKeyword, invalidUIDSet, quotaExceeded, messageTooLarge, invalidQuery, readOnly, locked
        case mailboxNotFound, mailboxExists, invalidUserID, passphraseNotSupported, wrongPassphrase, storage
        case invalidMbox, io, closed, uidSpaceExhausted
    }

    private let parts: ErrorParts<Code>
    private var code: Code { parts.code }
    /// What went wrong, in words a person can act on.
    public var message: String { parts.message }
    /// The database's own error for ``storage``, ``locked`` and ``readOnly`` (an
    /// `SQLiteError` or `EncryptedSQLiteError`), when one was kept. Not part of equality.
    public var cause: (any Error)? { parts.cause }

    private init(_ code: Code, _ message: String, cause: (any Error)? = nil) { parts = ErrorParts(code, message, cause: cause) }

    /// No folder has that name.
    public static let folderNotFound = MailboxError(.folderNotFound, "no such folder")
    /// A folder with that name already exists.
    public static let folderExists = MailboxError(.folderExists, "the folder already exists")
    /// The folder name is empty, has an empty level, `.` or `..`, or control characters.
    public static let invalidFolderName = MailboxError(.invalidFolderName, "invalid folder name")
    /// INBOX cannot be deleted.
    public static let folderNotRemovable = MailboxError(.folderNotRemovable, "INBOX cannot be deleted")
    /// Another folder already has that special use.
    public static let specialUseTaken = MailboxError(.specialUseTaken, "another folder already has that special use")
    /// A keyword is not an IMAP atom (empty, spaces, `\`, brackets, quotes, controls).
    public static let invalidKeyword = MailboxError(.invalidKeyword, "invalid keyword")
    /// A UID set could not be parsed or holds 0.
    public static let invalidUIDSet = MailboxError(.invalidUIDSet, "invalid UID set")
    /// The mailbox would exceed its byte or message quota.
    public static let quotaExceeded = MailboxError(.quotaExceeded, "the mailbox quota would be exceeded")
    /// A message is larger than the mailbox accepts (`MailboxQuota.maxMessageBytes`).
    public static let messageTooLarge = MailboxError(.messageTooLarge, "the message is too large")
    /// A search query could not be parsed, or would nest deeper or hold more than
    /// `SearchQuery` allows (``SearchQuery/maximumDepth``, ``SearchQuery/maximumSize``).
    public static let invalidQuery = MailboxError(.invalidQuery, "invalid search query")
    /// The mailbox was opened read-only.
    public static let readOnly = MailboxError(.readOnly, "the mailbox is open read-only")
    /// Another writer (in this or another process) holds the mailbox.
    public static let locked = MailboxError(.locked, "the mailbox is open for writing elsewhere")
    /// The store has no mailbox for that user.
    public static let mailboxNotFound = MailboxError(.mailboxNotFound, "no mailbox for that user")
    /// The store already has a mailbox for that user.
    public static let mailboxExists = MailboxError(.mailboxExists, "a mailbox for that user already exists")
    /// The user id is empty or too long.
    public static let invalidUserID = MailboxError(.invalidUserID, "invalid user id")
    /// The database opener stores files in clear and refuses a passphrase rather than ignore it.
    public static let passphraseNotSupported = MailboxError(
        .passphraseNotSupported, "this database opener does not encrypt; it takes no passphrase")
    /// The passphrase does not open this mailbox (an encrypting opener reports its
    /// wrong-key error as this).
    public static let wrongPassphrase = MailboxError(.wrongPassphrase, "the passphrase does not open this mailbox")
    /// The database failed (the underlying SQLite message is attached).
    public static let storage = MailboxError(.storage, "the mailbox database failed")
    /// An mbox file is not in mbox format.
    public static let invalidMbox = MailboxError(.invalidMbox, "not an mbox file")
    /// Reading or writing a file failed.
    public static let io = MailboxError(.io, "file input/output failed")
    /// The folder has given out every 32-bit UID; it must be recreated (new UIDVALIDITY).
    public static let uidSpaceExhausted = MailboxError(.uidSpaceExhausted, "the folder has no UIDs left")
    /// The mailbox was closed.
    public static let closed = MailboxError(.closed, "the mailbox is closed")

    /// `self` with a more specific message.
    public func with(message: String) -> MailboxError { MailboxError(code, message, cause: cause) }

    /// `self` with a more specific message and the error underneath.
    public func with(message: String, cause: (any Error)?) -> MailboxError { MailboxError(code, message, cause: cause) }

    /// True when the same request may succeed later: the mailbox is open for writing
    /// elsewhere (``locked``), or a ``storage``, ``io`` or ``readOnly`` failure whose cause
    /// says so (a busy database; a read-only open waiting for a writer to set up the log's
    /// index). False for every refusal of the request and for a damaged file.
    public var isTransient: Bool {
        switch code {
        case .locked: true
        case .storage, .io, .readOnly: cause?.isTransientFailure ?? false
        default: false
        }
    }

    /// The message.
    public var description: String { "MailboxError: \(message)" }
}
