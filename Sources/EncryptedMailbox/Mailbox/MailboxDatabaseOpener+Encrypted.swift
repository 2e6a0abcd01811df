import CommunityMailSQL
import EncryptedSQLite

extension MailboxDatabaseOpener {
    /// Mailbox files encrypted page by page in SQLite3 Multiple Ciphers' `chacha20` format
    /// (see ``EncryptedDatabase``): the passphrase is stretched with PBKDF2-HMAC-SHA256,
    /// 64007 iterations. Opening without a passphrase, or with the wrong one, fails with
    /// ``MailboxError/wrongPassphrase``.
    public static let encrypted = MailboxDatabaseOpener.encrypted()

    /// The encrypted opener with other KDF settings (fewer iterations make tests fast and
    /// keys weak; keep the default in production).
    /// - Parameters:
    ///   - kdfIterations: PBKDF2 iterations for new and existing files. Default: 64007.
    ///   - pageSize: the page size of new files. Default: 4096.
    public static func encrypted(kdfIterations: Int = 64007, pageSize: Int = 4096) -> MailboxDatabaseOpener {
        MailboxDatabaseOpener(
            name: "encrypted (sqlite3mc chacha20, PBKDF2 \(kdfIterations))", encrypts: true, keyDerivationIterations: kdfIterations,
            implementation: EncryptedDatabaseOpener(kdfIterations: kdfIterations, pageSize: pageSize))
    }
}

/// Opens mailbox files through the encrypting VFS.
struct EncryptedDatabaseOpener: MailboxDatabaseOpening {
    let kdfIterations: Int
    let pageSize: Int

    func open(path: String, options: MailboxDatabaseOptions) throws -> PreparedMailboxFile {
        guard let passphrase = options.passphrase, !passphrase.isEmpty else {
            throw MailboxError.wrongPassphrase.with(message: "this mailbox is encrypted; it needs its passphrase")
        }
        var configuration = EncryptedDatabase.Configuration(key: try EncryptionKey.passphrase(passphrase))
        configuration.kdfIterations = kdfIterations
        configuration.pageSize = pageSize
        configuration.create = options.create
        configuration.readOnly = options.readOnly
        configuration.synchronous = options.synchronous
        let opened: (connection: SQLiteConnection, storage: EncryptedStorage)
        do {
            opened = try EncryptedDatabase.openStorage(path: path, configuration: configuration)
        } catch let error where error == .wrongKey {
            throw MailboxError.wrongPassphrase
        } catch let error where error == .readOnly {
            // A read-only open SQLite cannot serve (a WAL file without its -shm in a folder
            // this user cannot write).
            throw MailboxError.readOnly.with(message: error.message, cause: error)
        } catch {
            throw MailboxError.storage.with(message: error.message, cause: error)
        }
        let storage = opened.storage
        return PreparedMailboxFile(connection: opened.connection, vfsName: storage.vfsName, release: { storage.release() })
    }
}
