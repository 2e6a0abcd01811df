import CommunityMailSQL

/// A connection together with the VFS instance it was opened through, released in the
/// right order: the connection closes before its VFS is unregistered.
final class EncryptedConnection {
    let vfs: EncryptingVFS
    private(set) var connection: SQLiteConnection?
    /// False once the VFS was handed to a longer-lived owner, which unregisters it.
    private var ownsVFS = true

    init(vfs: EncryptingVFS, connection: SQLiteConnection) {
        self.vfs = vfs
        self.connection = connection
    }

    /// Closes the connection, then unregisters the VFS.
    func close() {
        connection = nil
        if ownsVFS { vfs.unregister() }
    }

    /// Gives up the connection (the caller keeps its own reference) and the duty to
    /// unregister the VFS, to whoever keeps opening connections through it.
    func handOverVFS() -> EncryptingVFS {
        ownsVFS = false
        connection = nil
        return vfs
    }

    deinit { close() }
}
