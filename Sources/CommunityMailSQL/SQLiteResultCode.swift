import CommunityMailCSQLite

/// SQLite's extended result codes that this package tells apart. They are function-like
/// macros in `sqlite3.h`, which Swift does not import.
package enum SQLiteResultCode {
    /// `SQLITE_IOERR_READ`: a read failed.
    package static let ioErrorRead = SQLITE_IOERR | (1 << 8)
    /// `SQLITE_IOERR_SHORT_READ`: a read returned fewer bytes than asked for.
    package static let ioErrorShortRead = SQLITE_IOERR | (2 << 8)
    /// `SQLITE_IOERR_WRITE`: a write failed.
    package static let ioErrorWrite = SQLITE_IOERR | (3 << 8)
    /// `SQLITE_IOERR_FSTAT`: stat of a file failed.
    package static let ioErrorFileStat = SQLITE_IOERR | (7 << 8)
    /// `SQLITE_IOERR_SHMOPEN`: the WAL index could not be opened.
    package static let ioErrorSharedMemoryOpen = SQLITE_IOERR | (18 << 8)
    /// `SQLITE_READONLY_RECOVERY`: a read-only connection found a WAL that needs recovery,
    /// which only a connection that can write does; it may succeed once one has.
    package static let readOnlyRecovery = SQLITE_READONLY | (1 << 8)
    /// `SQLITE_READONLY_CANTINIT`: a read-only connection cannot initialise the WAL index
    /// (its -shm); it may succeed once a connection that can write has.
    package static let readOnlyCannotInitialize = SQLITE_READONLY | (5 << 8)
    /// `SQLITE_IOERR_DATA`: a page failed its checksum or authentication tag (cksumvfs, an
    /// encrypting VFS). The file is damaged or was changed: not a transient failure.
    package static let ioErrorData = SQLITE_IOERR | (32 << 8)
    /// `SQLITE_IOERR_CORRUPTFS`: the file system reported damage.
    package static let ioErrorCorruptFileSystem = SQLITE_IOERR | (33 << 8)
}
