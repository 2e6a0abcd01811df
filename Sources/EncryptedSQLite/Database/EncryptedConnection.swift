import CommunityMailSQL

/// A connection together with the VFS instance it was opened through, released in the
/// right order: the connection closes before its VFS is unregistered.
final class EncryptedConnection {
    let vfs: EncryptingVFS
    private(set) var connection: SQLiteConnection?

    init(vfs: EncryptingVFS, connection: SQLiteConnection) {
        self.vfs = vfs
        self.connection = connection
    }

    /// Closes the connection, then unregisters the VFS.
    func close() {
        connection = nil
        vfs.unregister()
    }

    deinit { close() }
}
