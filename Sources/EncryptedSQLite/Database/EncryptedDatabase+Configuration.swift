public import CommunityMailSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EncryptedDatabase {
    /// How to open (or create) an encrypted database.
    public struct Configuration: Sendable {
        /// The passphrase or raw key. No default.
        public var key: EncryptionKey
        /// PBKDF2-HMAC-SHA256 iterations for a passphrase. Default: 64007 (sqlite3mc's
        /// default for `chacha20`). Ignored in legacy mode, which always uses 12345, and
        /// for raw keys.
        public var kdfIterations: Int = 64007
        /// The page size of a new database, 512...65536, a power of two. Existing files
        /// keep theirs (read from the header), except in legacy mode, where the header is
        /// encrypted and this must match the file. Default: 4096.
        public var pageSize: Int = 4096
        /// sqleet-compatible legacy mode: 12345 iterations and page 1 encrypted entirely
        /// (sqlite3mc's `legacy=1`). Default: false.
        public var legacy: Bool = false
        /// Create the file when it is missing. Default: true.
        public var create: Bool = true
        /// Open read-only: the connection opens with `SQLITE_OPEN_READONLY`, so the file
        /// itself is never written (no journal-mode change, no recovery or checkpoint into
        /// it, no leftover clean-up); writes fail with ``EncryptedSQLiteError/readOnly``.
        /// The file must exist (`create` is ignored). A file in WAL mode is read through its
        /// `-wal` and `-shm`: SQLite creates them beside the file when they are missing
        /// (and the folder is writable), and a read-only connection may leave them there
        /// after closing. Default: false.
        public var readOnly: Bool = false
        /// Where the database's SQLite work runs, one job at a time. Default:
        /// ``BlockingExecutor/shared``.
        public var executor: BlockingExecutor = .shared
        /// Use write-ahead logging. Default: true. Files shared with sqlite3mc should be
        /// closed (which checkpoints and removes the WAL) or use rollback journaling.
        public var writeAheadLog: Bool = true
        /// When commits reach the disk (`PRAGMA synchronous`): `.full` syncs every commit,
        /// `.normal` syncs at checkpoints only (in rollback-journal mode it syncs less often
        /// than `.full`, so a power loss may undo or damage recent commits). Default: `.full`.
        public var synchronous: Synchronous = .full
        /// How long to wait for another connection's lock. Default: 5 seconds.
        public var busyTimeout: Duration = .seconds(5)
        /// Syncs the database's folder after a rekey renamed the new file into place: fsync.
        /// A seam for tests, which inject a failing sync.
        var syncFolder: @Sendable (String) throws(EncryptedSQLiteError) -> Void = { folder throws(EncryptedSQLiteError) in
            try EncryptedDatabase.sync(path: folder)
        }
        /// Renames a rekey's re-encrypted copy over the database: rename(2). A seam for tests,
        /// which inject a failing rename.
        var replaceFile: @Sendable (_ copy: String, _ database: String) throws(EncryptedSQLiteError) -> Void = {
            copy, database throws(EncryptedSQLiteError) in
            guard rename(copy, database) == 0 else {
                throw EncryptedSQLiteError.io.with(message: "cannot rename the re-encrypted copy over the database")
            }
        }

        /// The defaults above with `key`.
        public init(key: EncryptionKey) {
            self.key = key
        }

        /// Checks the options.
        /// - Throws: ``EncryptedSQLiteError/unsupportedOptions``.
        func validate() throws(EncryptedSQLiteError) {
            guard PageFormat.isValidPageSize(pageSize) else {
                throw EncryptedSQLiteError.unsupportedOptions.with(
                    message: "page size \(pageSize) is not a power of two from 512 to 65536")
            }
            guard kdfIterations >= 1, kdfIterations <= Int(Int32.max) else {
                throw EncryptedSQLiteError.unsupportedOptions.with(
                    message: "KDF iterations must be between 1 and \(Int32.max)")
            }
        }
    }
}
