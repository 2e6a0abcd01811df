import CommunityMailCSQLite
public import CommunityMailSystem

/// An error from SQLite, or from this layer's use of it.
///
/// `message` carries SQLite's own text and the operation; it never includes bound values,
/// so secrets bound as parameters do not leak into logs. SQLite's own result code is kept
/// (``resultCode``, ``primaryResultCode``), and ``isTransient`` says whether the same work
/// may succeed later: a busy or locked database or a failed read, write or lock may; a
/// constraint, a damaged or tampered file (`SQLITE_CORRUPT`, `SQLITE_NOTADB`, and
/// `SQLITE_IOERR_DATA`, which checksum and encrypting VFSes return for a page that fails its
/// check), a full disk, a read-only or unopenable file, or a bad statement will not: a retry
/// loop would spin on them.
public struct SQLiteError: ClassifiedError, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case open, prepare, bind, step, busy, constraint, corrupt, notADatabase, readOnly, full
        case misuse, schema, transaction, migration, newerSchema, typeMismatch, interrupted, ioFailure, closed, other
    }

    private let parts: ErrorParts<Code>
    private var code: Code { parts.code }
    /// SQLite's extended result code (`SQLITE_*`, e.g. `SQLITE_BUSY_SNAPSHOT`), or 0 when the
    /// error is this layer's own.
    public let resultCode: Int32
    /// What went wrong, in words a person can act on.
    public var message: String { parts.message }

    private init(_ code: Code, resultCode: Int32 = 0, _ message: String) {
        parts = ErrorParts(code, message)
        self.resultCode = resultCode
    }

    /// The database could not be opened (`SQLITE_CANTOPEN`, `SQLITE_PERM`). Not transient.
    public static let open = SQLiteError(.open, "cannot open the database")
    /// A statement did not compile.
    public static let prepare = SQLiteError(.prepare, "cannot prepare the statement")
    /// A parameter could not be bound (unknown name, index out of range).
    public static let bind = SQLiteError(.bind, "cannot bind the parameter")
    /// Running a statement failed.
    public static let step = SQLiteError(.step, "the statement failed")
    /// The database stayed locked by another connection past the busy timeout.
    public static let busy = SQLiteError(.busy, "the database is locked by another connection")
    /// A UNIQUE, FOREIGN KEY, CHECK or NOT NULL constraint was violated.
    public static let constraint = SQLiteError(.constraint, "a constraint was violated")
    /// The file is damaged or was tampered with (`SQLITE_CORRUPT`, or `SQLITE_IOERR_DATA` /
    /// `SQLITE_IOERR_CORRUPTFS`: a page failed its checksum or authentication tag). Not
    /// transient: reading it again gives the same bytes.
    public static let corrupt = SQLiteError(.corrupt, "the database file is corrupt")
    /// The file is not a database (or is encrypted with another key).
    public static let notADatabase = SQLiteError(.notADatabase, "the file is not a database")
    /// A write was attempted on a read-only connection.
    public static let readOnly = SQLiteError(.readOnly, "the database is read-only")
    /// The API was used out of order (a closed connection, a finalized statement).
    public static let misuse = SQLiteError(.misuse, "SQLite API misuse")
    /// The schema is not what this code expects.
    public static let schema = SQLiteError(.schema, "unexpected database schema")
    /// A transaction could not begin, commit or roll back.
    public static let transaction = SQLiteError(.transaction, "transaction failed")
    /// A schema migration failed.
    public static let migration = SQLiteError(.migration, "schema migration failed")
    /// The file's schema version (`PRAGMA user_version`) is newer than the code's migrations:
    /// a newer release wrote it, and this one must not guess at its meaning.
    public static let newerSchema = SQLiteError(.newerSchema, "the database schema is newer than this code")
    /// A running statement was interrupted (`sqlite3_interrupt`), because its task was cancelled.
    public static let interrupted = SQLiteError(.interrupted, "the statement was interrupted")
    /// The operating system failed a read, write, sync or lock (`SQLITE_IOERR` and its
    /// extended codes, except the data checks that mean ``corrupt``). Transient.
    public static let ioFailure = SQLiteError(.ioFailure, "a disk operation failed")
    /// The disk or the file's size limit is full (`SQLITE_FULL`). Not transient: it needs
    /// someone to make room, and retrying meanwhile only repeats the failure.
    public static let full = SQLiteError(.full, "the disk is full")
    /// The database was closed before the work could start.
    public static let closed = SQLiteError(.closed, "the database is closed")
    /// A column held a different type than the caller asked for.
    public static let typeMismatch = SQLiteError(.typeMismatch, "column type mismatch")

    /// SQLite's primary result code (the low byte of ``resultCode``, e.g. `SQLITE_BUSY`), or
    /// 0 when the error is this layer's own.
    public var primaryResultCode: Int32 { resultCode & 0xff }

    /// Whether the same work may succeed later: true for a busy or locked database, for
    /// failed reads, writes, syncs and locks, and for a read-only connection waiting for a
    /// writer to recover the log or initialise its index (`SQLITE_READONLY_RECOVERY`,
    /// `SQLITE_READONLY_CANTINIT`); false for constraints, corruption and tampering
    /// (including `SQLITE_IOERR_DATA`), a full disk, other read-only refusals, unopenable
    /// files, bad statements and schema mismatches.
    public var isTransient: Bool {
        switch code {
        case .busy, .ioFailure: true
        case .readOnly: resultCode == SQLiteResultCode.readOnlyRecovery || resultCode == SQLiteResultCode.readOnlyCannotInitialize
        default: false
        }
    }

    /// `self` with a more specific message.
    public func with(message: String) -> SQLiteError { SQLiteError(code, resultCode: resultCode, message) }

    /// The error for SQLite result `result` on `handle` during `operation`.
    /// Results that carry no more specific kind (plain SQLITE_ERROR) take `fallback`'s kind.
    static func from(
        result: Int32, handle: OpaquePointer?, operation: String, fallback: SQLiteError = .step
    ) -> SQLiteError {
        let code = kind(of: result) ?? fallback.code
        var detail = String(cString: sqlite3_errstr(result))
        if let handle, let text = sqlite3_errmsg(handle) {
            let own = String(cString: text)
            if !own.isEmpty && own != detail { detail = own }
        }
        return SQLiteError(code, resultCode: result, "\(operation): \(detail)")
    }

    /// The kind for SQLite result `result` (extended codes first: some `SQLITE_IOERR_*` codes
    /// mean a damaged page, not a failed disk), or nil when `result` carries no more specific
    /// kind than "an error" (`SQLITE_ERROR`, and codes this layer leaves to the operation).
    /// See https://www.sqlite.org/rescode.html.
    private static func kind(of result: Int32) -> Code? {
        switch result {
        // A page failed a checksum or authentication tag (cksumvfs, an encrypting VFS), or
        // the file system reported damage: the same bytes come back on every retry.
        case SQLiteResultCode.ioErrorData, SQLiteResultCode.ioErrorCorruptFileSystem: return .corrupt
        default: break
        }
        switch result & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_PROTOCOL: return .busy
        case SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_TOOBIG: return .constraint
        case SQLITE_CORRUPT: return .corrupt
        case SQLITE_NOTADB: return .notADatabase
        case SQLITE_READONLY: return .readOnly
        case SQLITE_MISUSE: return .misuse
        case SQLITE_SCHEMA: return .schema
        case SQLITE_CANTOPEN, SQLITE_PERM: return .open
        case SQLITE_INTERRUPT: return .interrupted
        case SQLITE_FULL: return .full
        case SQLITE_IOERR: return .ioFailure
        case SQLITE_RANGE: return .bind
        default: return nil
        }
    }

    /// Errors of the same kind are equal, whatever their messages and result codes.
    public static func == (lhs: SQLiteError, rhs: SQLiteError) -> Bool { lhs.parts == rhs.parts }
    /// Hashes the kind only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(parts) }
    /// The message.
    public var description: String { "SQLiteError: \(message)" }
}
