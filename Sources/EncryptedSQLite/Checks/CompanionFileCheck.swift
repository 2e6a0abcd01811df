#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks a database's `-journal`, `-wal` or `-shm` before SQLite uses it, and again after
/// the platform VFS opened (or created) it.
///
/// SQLite opens these files by name and trusts what it finds: a journal someone else put
/// there is written by our transaction and obeyed on ROLLBACK, and a symbolic link makes
/// SQLite write wherever it points. A companion file is trusted only when it is a regular
/// file (not a link), owned by the effective user (or, when that is root, by the
/// database's owner, to whom SQLite itself hands the files it creates), writable by no
/// group or other user, and with one link.
enum CompanionFileCheck {
    /// What the name points at.
    enum Finding: Equatable {
        /// Nothing: SQLite will create it.
        case missing
        /// A trusted file (device and inode, to recognise it after the open).
        case trusted(device: UInt64, inode: UInt64)
        /// Anything else.
        case untrusted
    }

    static func inspect(_ path: String, databasePath: String?) -> Finding {
        var status = stat()
        guard lstat(path, &status) == 0 else { return errno == ENOENT ? .missing : .untrusted }
        let user = geteuid()
        var owners: Set<uid_t> = [user]
        if user == 0, let databasePath {
            var database = stat()
            if stat(databasePath, &database) == 0 { owners.insert(database.st_uid) }
        }
        let groupOrOtherWrite = mode_t(S_IWGRP | S_IWOTH)
        guard status.st_mode & S_IFMT == S_IFREG, owners.contains(status.st_uid), status.st_mode & groupOrOtherWrite == 0,
            status.st_nlink == 1
        else { return .untrusted }
        return .trusted(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }

    /// True when the file found after the open is trusted and, if one was there before, the
    /// same file.
    static func isSameTrustedFile(before: Finding, after: Finding) -> Bool {
        guard case .trusted = after else { return false }
        return before == .missing || before == after
    }

    /// The refusal: no path in it (it may name the mailbox's owner).
    static func refusal(_ suffix: String) -> EncryptedSQLiteError {
        EncryptedSQLiteError.untrustedFile.with(
            message: "the database's \(suffix) file is not a regular file of this user with no group or other write permission and one link; it was not used")
    }
}
