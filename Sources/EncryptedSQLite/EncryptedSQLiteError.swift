public import CommunityMailSystem

/// An error from an encrypted mailbox database.
///
/// Messages never contain passphrases, keys, salts, nonces, tags or page contents.
/// Errors of the same kind compare equal whatever their message or page number, so
/// `#expect(throws: EncryptedSQLiteError.wrongKey)` matches any wrong-key error.
/// ``isTransient`` is true only for a busy database or a failed disk operation; never for a
/// wrong key or a tampered page, which a retry would only meet again.
public struct EncryptedSQLiteError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case wrongKey, notEncrypted, tamperedPage, tamperedJournal, unsupportedOptions, invalidKey, io, sql, closed, rekeyFailed
        case rekeyNotDurable, untrustedFile, rekeyedButClosed, readOnly
    }

    /// Holds an underlying error (a struct cannot hold its own type directly).
    private final class Cause: Sendable {
        let error: EncryptedSQLiteError
        init(_ error: EncryptedSQLiteError) { self.error = error }
    }

    private let parts: ErrorParts<Code>
    private var code: Code { parts.code }
    /// What went wrong, in words a person can act on.
    public var message: String { parts.message }
    /// For ``tamperedPage``, and ``tamperedJournal`` when a journal record failed: the
    /// 1-based number of the page whose tag did not match.
    public let pageNumber: UInt32?
    private let causeStorage: Cause?
    /// Whether SQLite's error underneath said the work may succeed later (busy, a failed read).
    private let transient: Bool

    /// The error underneath this one, where one step failed because another did (for
    /// ``rekeyedButClosed`` and ``rekeyFailed``: why opening the database again failed).
    public var cause: EncryptedSQLiteError? { causeStorage?.error }

    private init(_ code: Code, _ message: String, pageNumber: UInt32? = nil, cause: Cause? = nil, transient: Bool = false) {
        parts = ErrorParts(code, message)
        self.pageNumber = pageNumber
        self.causeStorage = cause
        self.transient = transient
    }

    /// Whether the same work may succeed later: true for SQL and I/O failures that SQLite
    /// classed as transient (a busy database, a failed read or lock); false for everything
    /// else, above all a wrong key and a tampered page or journal.
    public var isTransient: Bool { (code == .sql || code == .io) && transient }

    /// The key does not open this database: page 1's tag does not match (a wrong passphrase,
    /// a wrong raw key, wrong KDF iterations or legacy setting, or a damaged page 1).
    public static let wrongKey = EncryptedSQLiteError(.wrongKey, "the key does not open this database")
    /// The file is a plain (unencrypted) SQLite database, or not a database at all.
    public static let notEncrypted = EncryptedSQLiteError(.notEncrypted, "the file is not an encrypted database")
    /// A page's authentication tag did not match: the page was changed, moved or damaged.
    public static let tamperedPage = EncryptedSQLiteError(.tamperedPage, "a page failed authentication")
    /// A hot rollback journal left beside the database did not authenticate: a record's tag
    /// did not match, or its header or super-journal pointer is not one this format writes.
    /// Nothing was rolled back: the database file and the journal are left exactly as they
    /// were, and the database cannot be opened until the journal is dealt with (see
    /// Documentation/EncryptedSQLite.md). When the journal changed after it was checked,
    /// the refusal comes during playback: authentic records read before it may be in the
    /// database already, nothing forged is.
    public static let tamperedJournal = EncryptedSQLiteError(
        .tamperedJournal, "the rollback journal failed authentication; nothing was rolled back")
    /// The configuration or the file asks for something this implementation does not do
    /// (a page size outside 512...65536, too few reserved bytes, a zero iteration count).
    public static let unsupportedOptions = EncryptedSQLiteError(.unsupportedOptions, "unsupported encryption options")
    /// A raw key is not 32 bytes, or a passphrase is empty.
    public static let invalidKey = EncryptedSQLiteError(.invalidKey, "the key is not usable")
    /// Reading or writing the file failed.
    public static let io = EncryptedSQLiteError(.io, "file input/output failed")
    /// SQLite rejected a statement (syntax, constraint, type, lock).
    public static let sql = EncryptedSQLiteError(.sql, "the SQL statement failed")
    /// A write was attempted on a database opened read-only
    /// (``EncryptedDatabase/Configuration/readOnly``).
    public static let readOnly = EncryptedSQLiteError(.readOnly, "the database is open read-only")
    /// The database was closed.
    public static let closed = EncryptedSQLiteError(.closed, "the database is closed")
    /// Rekeying failed before the new key took effect; the old key still opens the file, and
    /// the database is open under it, unless opening it again failed (then ``cause`` says
    /// why, and the database is closed).
    public static let rekeyFailed = EncryptedSQLiteError(.rekeyFailed, "rekeying failed; the old key still works")
    /// Rekeying replaced the file, so the new key opens it (and the database is open under
    /// it), but the folder could not be synced after the rename: until it is, a crash or
    /// power loss may bring back the old file, which only the old key opens. Keep the old
    /// key until a later ``EncryptedDatabase/rekey(to:)`` to the new key succeeds.
    public static let rekeyNotDurable = EncryptedSQLiteError(
        .rekeyNotDurable, "the new key opens the database, but the rename is not yet durable; keep the old key until a rekey succeeds")

    /// Rekeying replaced the file, so only the new key opens it, but opening it again failed:
    /// the database is closed (open it again with the new key). ``cause`` says why the open
    /// failed.
    public static let rekeyedButClosed = EncryptedSQLiteError(
        .rekeyedButClosed, "the new key opens the database, but reopening it failed; the database is closed")
    /// The database's `-journal`, `-wal` or `-shm` file is not one this user can trust: a
    /// symbolic link, not a regular file, owned by someone else, writable by a group or other
    /// users, or with more than one link. SQLite would write to it and obey what it holds,
    /// so it is not used; whoever runs the host removes it (see
    /// Documentation/EncryptedSQLite.md).
    public static let untrustedFile = EncryptedSQLiteError(
        .untrustedFile, "a file beside the database is not one this user can trust; it was not used")

    /// The tampered-page error for page `pageNumber`.
    public static func tamperedPage(_ pageNumber: UInt32) -> EncryptedSQLiteError {
        EncryptedSQLiteError(.tamperedPage, "page \(pageNumber) failed authentication (changed, moved or damaged)", pageNumber: pageNumber)
    }

    /// The tampered-journal error for a record of page `pageNumber`.
    public static func tamperedJournal(_ pageNumber: UInt32) -> EncryptedSQLiteError {
        EncryptedSQLiteError(
            .tamperedJournal, "page \(pageNumber) in the rollback journal failed authentication (changed or forged); nothing was rolled back",
            pageNumber: pageNumber)
    }

    /// `self` with a more specific message.
    public func with(message: String) -> EncryptedSQLiteError {
        EncryptedSQLiteError(code, message, pageNumber: pageNumber, cause: causeStorage, transient: transient)
    }

    /// `self` with `cause` as the error underneath it.
    func with(cause: EncryptedSQLiteError) -> EncryptedSQLiteError {
        EncryptedSQLiteError(code, message, pageNumber: pageNumber, cause: Cause(cause), transient: transient)
    }

    /// `self`, transient when `transient` (SQLite's own classification of the failure).
    func with(transient: Bool) -> EncryptedSQLiteError {
        EncryptedSQLiteError(code, message, pageNumber: pageNumber, cause: causeStorage, transient: transient)
    }

    /// Errors of the same kind are equal.
    public static func == (lhs: EncryptedSQLiteError, rhs: EncryptedSQLiteError) -> Bool { lhs.parts == rhs.parts }
    /// Hashes the kind only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(parts) }
    /// The message.
    public var description: String { "EncryptedSQLiteError: \(message)" }
}
