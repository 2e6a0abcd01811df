package import CommunityMailSQL

/// An encrypted database file made ready for connections that other code opens by VFS name
/// (a `SQLiteDatabase`'s writer and readers): the file is checked against the key, a new
/// file gets its page size and reserved bytes, and the VFS holding the key stays registered
/// until ``release()``.
package final class EncryptedStorage: Sendable {
    /// The name to pass as `SQLiteDatabase.Configuration.vfsName`.
    package let vfsName: String
    private let vfs: EncryptingVFS

    init(vfs: EncryptingVFS) {
        self.vfs = vfs
        vfsName = vfs.name
    }

    /// The typed error for a SQLite failure on a connection through this VFS: what the VFS
    /// recorded (a wrong key, a tampered page), if anything.
    package func mapped(_ error: SQLiteError) -> EncryptedSQLiteError {
        EncryptedDatabase.map(error, keyState: vfs.keyState)
    }

    /// Unregisters the VFS name; connections already open keep working. Call once every
    /// connection through it has closed. Releasing again does nothing.
    package func release() { vfs.unregister() }
}

extension EncryptedDatabase {
    /// Opens `path` as ``init(path:configuration:)`` does and returns the connection with the
    /// VFS it was opened through, whose name stays registered so that more connections to
    /// the same file can open by it (until ``EncryptedStorage/release()``). The caller closes
    /// the connection.
    package static func openStorage(
        path: String, configuration: Configuration
    ) throws(EncryptedSQLiteError) -> (connection: SQLiteConnection, storage: EncryptedStorage) {
        try configuration.validate()
        let opened = try open(path: path, configuration: configuration)
        guard let connection = opened.connection else { throw EncryptedSQLiteError.closed }
        let vfs = opened.handOverVFS()
        return (connection, EncryptedStorage(vfs: vfs))
    }
}
