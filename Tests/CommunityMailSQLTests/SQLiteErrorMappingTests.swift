import CommunityMailCSQLite
import CommunityMailSystem
@testable import CommunityMailSQL
import Testing

/// SQLite's result codes (https://www.sqlite.org/rescode.html) map to error kinds that say
/// truthfully whether a retry can help: a tampered or damaged page never is transient.
@Suite("SQLiteError: result code to error kind")
struct SQLiteErrorMappingTests {
    /// `primary | (extended << 8)`, as sqlite3.h builds its extended codes.
    static func code(_ primary: Int32, _ extended: Int32 = 0) -> Int32 { primary | (extended << 8) }

    static let table: [(name: String, result: Int32, kind: SQLiteError?, transient: Bool)] = [
        // Another connection holds a lock: the same work may succeed later.
        ("SQLITE_BUSY", code(SQLITE_BUSY), .busy, true),
        ("SQLITE_BUSY_RECOVERY", code(SQLITE_BUSY, 1), .busy, true),
        ("SQLITE_BUSY_SNAPSHOT", code(SQLITE_BUSY, 2), .busy, true),
        ("SQLITE_BUSY_TIMEOUT", code(SQLITE_BUSY, 3), .busy, true),
        ("SQLITE_LOCKED", code(SQLITE_LOCKED), .busy, true),
        ("SQLITE_LOCKED_SHAREDCACHE", code(SQLITE_LOCKED, 1), .busy, true),
        ("SQLITE_PROTOCOL", code(SQLITE_PROTOCOL), .busy, true),
        // The operating system failed an operation: transient.
        ("SQLITE_IOERR", code(SQLITE_IOERR), .ioFailure, true),
        ("SQLITE_IOERR_READ", code(SQLITE_IOERR, 1), .ioFailure, true),
        ("SQLITE_IOERR_SHORT_READ", code(SQLITE_IOERR, 2), .ioFailure, true),
        ("SQLITE_IOERR_WRITE", code(SQLITE_IOERR, 3), .ioFailure, true),
        ("SQLITE_IOERR_FSYNC", code(SQLITE_IOERR, 4), .ioFailure, true),
        ("SQLITE_IOERR_LOCK", code(SQLITE_IOERR, 15), .ioFailure, true),
        ("SQLITE_IOERR_SHMOPEN", code(SQLITE_IOERR, 18), .ioFailure, true),
        // A page failed its checksum or tag, or the file is damaged: never transient.
        ("SQLITE_IOERR_DATA", code(SQLITE_IOERR, 32), .corrupt, false),
        ("SQLITE_IOERR_CORRUPTFS", code(SQLITE_IOERR, 33), .corrupt, false),
        ("SQLITE_CORRUPT", code(SQLITE_CORRUPT), .corrupt, false),
        ("SQLITE_CORRUPT_VTAB", code(SQLITE_CORRUPT, 1), .corrupt, false),
        ("SQLITE_CORRUPT_SEQUENCE", code(SQLITE_CORRUPT, 2), .corrupt, false),
        ("SQLITE_CORRUPT_INDEX", code(SQLITE_CORRUPT, 3), .corrupt, false),
        ("SQLITE_NOTADB", code(SQLITE_NOTADB), .notADatabase, false),
        // The environment refuses: someone must act first.
        ("SQLITE_FULL", code(SQLITE_FULL), .full, false),
        ("SQLITE_READONLY", code(SQLITE_READONLY), .readOnly, false),
        ("SQLITE_READONLY_CANTLOCK", code(SQLITE_READONLY, 2), .readOnly, false),
        ("SQLITE_READONLY_ROLLBACK", code(SQLITE_READONLY, 3), .readOnly, false),
        ("SQLITE_READONLY_DBMOVED", code(SQLITE_READONLY, 4), .readOnly, false),
        ("SQLITE_READONLY_DIRECTORY", code(SQLITE_READONLY, 6), .readOnly, false),
        // A read-only connection waiting for a writer to recover the log or build its index.
        ("SQLITE_READONLY_RECOVERY", code(SQLITE_READONLY, 1), .readOnly, true),
        ("SQLITE_READONLY_CANTINIT", code(SQLITE_READONLY, 5), .readOnly, true),
        ("SQLITE_CANTOPEN", code(SQLITE_CANTOPEN), .open, false),
        ("SQLITE_CANTOPEN_ISDIR", code(SQLITE_CANTOPEN, 2), .open, false),
        ("SQLITE_PERM", code(SQLITE_PERM), .open, false),
        // The request itself is wrong.
        ("SQLITE_CONSTRAINT_UNIQUE", code(SQLITE_CONSTRAINT, 8), .constraint, false),
        ("SQLITE_MISMATCH", code(SQLITE_MISMATCH), .constraint, false),
        ("SQLITE_TOOBIG", code(SQLITE_TOOBIG), .constraint, false),
        ("SQLITE_RANGE", code(SQLITE_RANGE), .bind, false),
        ("SQLITE_MISUSE", code(SQLITE_MISUSE), .misuse, false),
        ("SQLITE_SCHEMA", code(SQLITE_SCHEMA), .schema, false),
        ("SQLITE_INTERRUPT", code(SQLITE_INTERRUPT), .interrupted, false),
        // No more specific kind: the operation's own.
        ("SQLITE_ERROR", code(SQLITE_ERROR), nil, false),
    ]

    @Test("Each result code maps to its kind, and says truthfully whether a retry can help")
    func mappingTable() {
        for entry in Self.table {
            let error = SQLiteError.from(result: entry.result, handle: nil, operation: "step", fallback: .step)
            #expect(error.resultCode == entry.result, "\(entry.name)")
            #expect(error == (entry.kind ?? .step), "\(entry.name)")
            // A kind of its own is kept whatever the operation's fallback.
            let withOtherFallback = SQLiteError.from(result: entry.result, handle: nil, operation: "prepare", fallback: .prepare)
            #expect(withOtherFallback == (entry.kind ?? .prepare), "\(entry.name)")
            #expect(error.isTransient == entry.transient, "\(entry.name)")
            #expect(error.primaryResultCode == entry.result & 0xff, "\(entry.name)")
        }
    }

    @Test("SQLITE_IOERR_DATA is corrupt, not the transient disk failure its primary code suggests")
    func dataErrorIsCorruption() {
        let error = SQLiteError.from(result: SQLiteResultCode.ioErrorData, handle: nil, operation: "read")
        #expect(error == .corrupt)
        #expect(error.primaryResultCode == SQLITE_IOERR)
        #expect(!error.isTransient)
        #expect(!error.isTransientFailure)
    }
}
