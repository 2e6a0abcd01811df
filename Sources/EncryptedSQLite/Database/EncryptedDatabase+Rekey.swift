import CommunityMailCSQLite
import CommunityMailSQL
import Foundation

extension EncryptedDatabase {
    /// Re-encrypts every page under `key` (with a fresh salt) and switches to it.
    ///
    /// Crash-safe: the pages are copied into `<path>.rekey` under the new key, synced, and
    /// renamed over the database in one atomic step, and the folder is synced. Until the
    /// rename the old file (with no WAL or journal left) opens with the old key; after it, the
    /// new file opens with the new key. Needs exclusive use of the file: other connections
    /// must be closed. What an error means for the keys:
    /// - Throws: ``EncryptedSQLiteError/rekeyFailed``: the old key still opens the file, and
    ///   the database is open under it (unless reopening it failed after a failed rename:
    ///   then it is closed and the error's `cause` says why).
    ///   ``EncryptedSQLiteError/rekeyNotDurable``: the new key opens the file, and the database
    ///   is open under it, but the folder could not be synced after the rename, so a crash may
    ///   still bring back the old file (and key).
    ///   ``EncryptedSQLiteError/rekeyedButClosed``: the new key opens the file, but reopening
    ///   it failed, so the database is closed; the error's `cause` says why.
    ///   ``EncryptedSQLiteError/closed``: the database was closed.
    ///   ``EncryptedSQLiteError/readOnly``: the database was opened read-only.
    public func rekey(to key: EncryptionKey) async throws(EncryptedSQLiteError) {
        let path = self.path
        try await perform { (state) throws(EncryptedSQLiteError) in try Self.rekey(&state, path: path, to: key) }
    }

    /// The rekey itself, inside one job.
    private static func rekey(_ state: inout State, path: String, to key: EncryptionKey) throws(EncryptedSQLiteError) {
        guard let source = state.current?.connection else { throw EncryptedSQLiteError.closed }
        guard !state.configuration.readOnly else { throw EncryptedSQLiteError.readOnly }
        let configuration = state.configuration
        let copyPath = path + ".rekey"
        Self.removeLeftovers(of: path)
        var copyConfiguration = configuration
        copyConfiguration.key = key
        copyConfiguration.writeAheadLog = false
        copyConfiguration.create = true
        do {
            // Fold the WAL into the file, so the old file stands alone until the rename.
            try source.execute("PRAGMA journal_mode = DELETE")
            let pageSize = Int(try source.queryFirst("PRAGMA page_size")?[0].integerValue ?? 0)
            copyConfiguration.pageSize = pageSize
            do {
                let copy = try Self.open(path: copyPath, configuration: copyConfiguration)
                defer { copy.close() }
                guard let copyConnection = copy.connection else { throw EncryptedSQLiteError.closed }
                try Self.copyPages(from: source, to: copyConnection)
            }
            try Self.sync(path: copyPath)
        } catch {
            Self.removeLeftovers(of: path)
            try? source.execute("PRAGMA journal_mode = \(configuration.writeAheadLog ? "WAL" : "DELETE")")
            throw EncryptedSQLiteError.rekeyFailed.with(message: "rekeying failed, the old key still works: \(Self.describe(error))")
        }
        state.current?.close()
        state.current = nil
        do { try configuration.replaceFile(copyPath, path) } catch {
            Self.removeLeftovers(of: path)
            let refusal = EncryptedSQLiteError.rekeyFailed.with(message: "cannot rename the re-encrypted copy over the database; the old key still works")
            do { state.current = try Self.open(path: path, configuration: configuration) } catch {
                throw refusal.with(message: "cannot rename the re-encrypted copy over the database; the old key still works, but reopening the database failed, so it is closed")
                    .with(cause: error)
            }
            throw refusal
        }
        // From here on the file is the new one: only the new key opens it.
        var reopened = configuration
        reopened.key = key
        state.configuration = reopened
        let folder = (path as NSString).deletingLastPathComponent
        var folderSyncFailure: EncryptedSQLiteError?
        do { try reopened.syncFolder(folder.isEmpty ? "." : folder) } catch { folderSyncFailure = error }
        do {
            state.current = try Self.open(path: path, configuration: reopened)
        } catch {
            let unsynced = folderSyncFailure == nil ? "" : "; syncing its folder failed too, so a crash may still bring back the old file and key"
            throw EncryptedSQLiteError.rekeyedButClosed.with(
                message: "the new key opens the database, but reopening it failed, so it is closed\(unsynced)"
            ).with(cause: error)
        }
        if let folderSyncFailure {
            throw EncryptedSQLiteError.rekeyNotDurable.with(
                message: "the new key opens the database, but syncing its folder failed (\(folderSyncFailure.message)): until it is synced, a crash may bring back the old file and key")
        }
    }

    /// Copies every page with SQLite's backup API; the copy's VFS encrypts them under its key.
    private static func copyPages(from source: SQLiteConnection, to copy: SQLiteConnection) throws(EncryptedSQLiteError) {
        guard let backup = sqlite3_backup_init(copy.handle, "main", source.handle, "main") else {
            throw EncryptedSQLiteError.io.with(message: "cannot start copying the pages: \(String(cString: sqlite3_errmsg(copy.handle)))")
        }
        let stepped = sqlite3_backup_step(backup, -1)
        let finished = sqlite3_backup_finish(backup)
        guard stepped == SQLITE_DONE, finished == SQLITE_OK else {
            throw EncryptedSQLiteError.io.with(message: "copying the pages failed (SQLite result \(stepped), \(finished))")
        }
    }

    /// fsync of a file or folder. Messages leave the path out: it may name the mailbox's owner.
    static func sync(path: String) throws(EncryptedSQLiteError) {
        let descriptor = Foundation.open(path, O_RDONLY)
        guard descriptor >= 0 else { throw EncryptedSQLiteError.io.with(message: "cannot open a file or folder to sync it") }
        defer { Foundation.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw EncryptedSQLiteError.io.with(message: "syncing a file or folder to disk failed") }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? EncryptedSQLiteError { return error.message }
        if let error = error as? SQLiteError { return error.message }
        return "\(type(of: error))"
    }
}
