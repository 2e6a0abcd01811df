import CommunityMailSQL
import CommunityMailSystem

/// How mailbox files are opened: ``encrypted`` (the default, ``standard``) in SQLite3
/// Multiple Ciphers' chacha20 format, or ``plain`` as ordinary SQLite files.
public struct MailboxDatabaseOpener: Sendable {
    /// A short human description, e.g. for a benchmark or a CLI to say what it used.
    public let name: String
    /// True when files opened this way are encrypted at rest.
    public let encrypts: Bool
    /// The PBKDF2 iterations that stretch a passphrase on each open, or nil when files
    /// opened this way take none (a login authenticator spends as many on an unknown name).
    public let keyDerivationIterations: Int?
    let implementation: any MailboxDatabaseOpening

    init(name: String, encrypts: Bool, keyDerivationIterations: Int? = nil, implementation: any MailboxDatabaseOpening) {
        self.name = name
        self.encrypts = encrypts
        self.keyDerivationIterations = keyDerivationIterations
        self.implementation = implementation
    }

    /// Plain SQLite through the default VFS: no encryption, so it takes no passphrase
    /// (given one, it fails with `MailboxError.passphraseNotSupported` rather than leave
    /// mail in clear behind the caller's back).
    public static let plain = MailboxDatabaseOpener(
        name: "plain SQLite (unencrypted)", encrypts: false, implementation: PlainDatabaseOpener())

    /// The opener stores use by default: ``encrypted``, so that each user's mail is
    /// readable only with their passphrase.
    public static var standard: MailboxDatabaseOpener { .encrypted }
}

/// What an opener does: prepare the SQLite file at `path` (create it, check the passphrase)
/// and return a connection for the mailbox's checks and migrations, with the VFS name that
/// the mailbox's database then opens its connections by.
protocol MailboxDatabaseOpening: Sendable {
    func open(path: String, options: MailboxDatabaseOptions) throws -> PreparedMailboxFile
}

/// The settings an opener receives.
struct MailboxDatabaseOptions {
    var create: Bool
    var readOnly: Bool
    var passphrase: String?
    var synchronous: Synchronous
}

/// An opened mailbox file: a first connection (closed by the mailbox once its database is
/// open), the VFS to open more through, and what to release once they have all closed.
struct PreparedMailboxFile {
    var connection: SQLiteConnection
    var vfsName: String?
    var release: @Sendable () -> Void = {}
}

/// Opens files with SQLite's default VFS.
struct PlainDatabaseOpener: MailboxDatabaseOpening {
    func open(path: String, options: MailboxDatabaseOptions) throws -> PreparedMailboxFile {
        guard options.passphrase == nil else { throw MailboxError.passphraseNotSupported }
        var configuration = SQLiteConnection.Configuration()
        configuration.create = options.create
        configuration.readOnly = options.readOnly
        configuration.synchronous = options.synchronous
        return PreparedMailboxFile(connection: try SQLiteConnection(path: path, configuration: configuration))
    }
}
