public import CommunityMailSystem
import CommunityMailCrypto
public import Foundation

/// The mailboxes of many users in one directory, one SQLite file each.
///
/// A user is named by an opaque id (a Launchpad account id, say). The file name is
/// `HMAC-SHA256(store secret, user id)`, hex, so the directory listing reveals neither
/// addresses nor ids, and no index of names has to be kept consistent (or encrypted)
/// beside the files: the name is derived again on each open. The secret lives in the
/// directory (`.mailbox-store-secret`, created once, mode 0600) unless the host supplies one.
///
/// Opening for writing takes an exclusive `flock` on `<name>.lock`: one writer per
/// mailbox across processes, `MailboxError.locked` for the next. Read-only opens take no
/// lock and may run alongside the writer (WAL).
public final class MailboxStore: Sendable {
    /// How the store opens its mailboxes.
    public struct Configuration: Sendable {
        /// Limits each mailbox gets. Default: none.
        public var quota: MailboxQuota = .unlimited
        /// How files are opened (plain or encrypted). Default: ``MailboxDatabaseOpener/standard``.
        public var opener: MailboxDatabaseOpener = .standard
        /// See ``SQLiteMailbox/Configuration/synchronous``. Default: `.full`.
        public var synchronous: Synchronous = .full
        /// See ``SQLiteMailbox/Configuration/executor``. Default: ``BlockingExecutor/shared``.
        public var executor: BlockingExecutor = .shared
        /// The secret that keys file names (at least 16 bytes); nil reads or creates one in
        /// the directory. Default: nil.
        public var nameSecret: [UInt8]?
        /// The defaults above.
        public init() {}
    }

    /// One mailbox file found by ``list()``: only what the directory shows.
    public struct StoredMailbox: Sendable, Hashable {
        /// The opaque file identifier (the keyed hash of the user id).
        public var identifier: String
        /// Bytes on disk, write-ahead log included.
        public var bytes: Int
    }

    /// The directory.
    public let directory: URL
    /// How this store opens its files (``Configuration/opener``).
    public var opener: MailboxDatabaseOpener { configuration.opener }
    private let configuration: Configuration
    private let secret: [UInt8]
    private static let secretFileName = ".mailbox-store-secret"
    private static let fileExtension = "mailbox"

    /// A store over `directory`, created if missing.
    /// - Throws: `MailboxError.io` when the directory or the secret cannot be made or read.
    public init(directory: URL, configuration: Configuration = Configuration()) throws {
        self.directory = directory
        self.configuration = configuration
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw MailboxError.io.with(message: "cannot create the store directory")
        }
        if let given = configuration.nameSecret {
            guard given.count >= 16 else { throw MailboxError.io.with(message: "the name secret must have at least 16 bytes") }
            secret = given
        } else {
            secret = try Self.loadOrCreateSecret(in: directory)
        }
    }

    private static func loadOrCreateSecret(in directory: URL) throws -> [UInt8] {
        let url = directory.appendingPathComponent(secretFileName)
        if let existing = try? Data(contentsOf: url), existing.count == 32 { return Array(existing) }
        // Written beside, then linked into place: link fails if another process won the
        // race, and then its secret is the one everyone reads.
        let fresh: [UInt8]
        do { fresh = try SecureRandom.bytes(32) } catch { throw MailboxError.io.with(message: "no random bytes for the store secret") }
        let temporary = directory.appendingPathComponent("\(secretFileName).\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(fresh), attributes: [.posixPermissions: 0o600]) else {
            throw MailboxError.io.with(message: "cannot write the store secret")
        }
        defer { try? FileManager.default.removeItem(at: temporary) }
        if link(temporary.path, url.path) == 0 { return fresh }
        guard let existing = try? Data(contentsOf: url), existing.count == 32 else {
            throw MailboxError.io.with(message: "the store secret file is damaged")
        }
        return Array(existing)
    }

    /// The opaque file identifier of `userID`'s mailbox.
    /// - Throws: `MailboxError.invalidUserID` for an empty id or one over 1024 bytes.
    public func identifier(for userID: String) throws -> String {
        guard !userID.isEmpty, userID.utf8.count <= 1024 else { throw MailboxError.invalidUserID }
        let code: [UInt8]
        do {
            code = try HMAC.authenticationCode(for: Array("communitymail-mailbox-name-v1\0\(userID)".utf8), key: secret, using: .sha256)
        } catch {
            throw MailboxError.io.with(message: "cannot derive the file name")
        }
        return Hex.encode(code.prefix(20))
    }

    private func path(_ identifier: String, _ suffix: String = "") -> String {
        directory.appendingPathComponent("\(identifier).\(Self.fileExtension)\(suffix)").path
    }

    /// True when `userID` has a mailbox here.
    public func exists(userID: String) throws -> Bool {
        FileManager.default.fileExists(atPath: path(try identifier(for: userID)))
    }

    /// Creates `userID`'s mailbox (INBOX and the special-use folders) and opens it for writing,
    /// on the calling thread; from async code prefer ``createMailbox(userID:passphrase:)``.
    /// - Throws: `.mailboxExists`, `.locked`, `.passphraseNotSupported`, `.storage`.
    public func create(userID: String, passphrase: String? = nil) throws -> SQLiteMailbox {
        try open(userID: userID, passphrase: passphrase, readOnly: false, creating: true)
    }

    /// Opens `userID`'s mailbox: for writing (taking the writer lock), or read-only, on the
    /// calling thread; from async code prefer ``openMailbox(userID:passphrase:readOnly:)``.
    /// - Throws: `.mailboxNotFound`, `.locked` (another writer has it), `.storage`.
    public func open(userID: String, passphrase: String? = nil, readOnly: Bool = false) throws -> SQLiteMailbox {
        try open(userID: userID, passphrase: passphrase, readOnly: readOnly, creating: false)
    }

    private func open(userID: String, passphrase: String?, readOnly: Bool, creating: Bool) throws -> SQLiteMailbox {
        let identifier = try identifier(for: userID)
        func checkExistence() throws(MailboxError) {
            let exists = FileManager.default.fileExists(atPath: path(identifier))
            if creating && exists { throw MailboxError.mailboxExists }
            if !creating && !exists { throw MailboxError.mailboxNotFound }
        }
        // Checked before locking for the clearer error, and again under the lock for the truth.
        try checkExistence()
        let lock = readOnly ? nil : try MailboxFileLock(path: path(identifier, ".lock"))
        try checkExistence()
        // Made empty first so SQLite's file (and its -wal and -shm, which copy its mode) is 0600.
        if creating && !FileManager.default.createFile(atPath: path(identifier), contents: nil, attributes: [.posixPermissions: 0o600]) {
            throw MailboxError.io.with(message: "cannot create the mailbox file")
        }
        var mailboxConfiguration = SQLiteMailbox.Configuration()
        mailboxConfiguration.quota = configuration.quota
        mailboxConfiguration.opener = configuration.opener
        mailboxConfiguration.readOnly = readOnly
        mailboxConfiguration.synchronous = configuration.synchronous
        mailboxConfiguration.executor = configuration.executor
        do {
            return try SQLiteMailbox(
                path: path(identifier), create: creating, passphrase: passphrase, configuration: mailboxConfiguration, lock: lock)
        } catch {
            if creating { removeFiles(identifier) }
            throw error
        }
    }

    /// Deletes `userID`'s mailbox files. Fails with `.locked` while a writer has it open.
    public func delete(userID: String) throws {
        let identifier = try identifier(for: userID)
        guard FileManager.default.fileExists(atPath: path(identifier)) else { throw MailboxError.mailboxNotFound }
        let lock = try MailboxFileLock(path: path(identifier, ".lock"))
        removeFiles(identifier)
        lock.release()
        try? FileManager.default.removeItem(atPath: path(identifier, ".lock"))
    }

    private func removeFiles(_ identifier: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path(identifier, suffix)) }
    }

    /// The mailbox files in the directory, by identifier. User ids cannot be recovered from
    /// them; a host that needs the list of users keeps it itself.
    public func list() throws -> [StoredMailbox] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw MailboxError.io.with(message: "cannot list the store directory")
        }
        return names.filter { $0.hasSuffix(".\(Self.fileExtension)") }.sorted().map { name in
            let identifier = String(name.dropLast(Self.fileExtension.count + 1))
            let bytes = ["", "-wal"].reduce(0) { total, suffix in
                total + ((try? FileManager.default.attributesOfItem(atPath: path(identifier, suffix))[.size] as? Int) ?? 0)
            }
            return StoredMailbox(identifier: identifier, bytes: bytes)
        }
    }
}
