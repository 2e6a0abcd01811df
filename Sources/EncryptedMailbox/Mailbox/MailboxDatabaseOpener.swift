import CommunityMailSQL

/// How mailbox files are opened. ``plain`` stores them as ordinary SQLite files; the
/// encrypting opener of the EncryptedMailbox file format plugs in here as another value,
/// and ``standard`` names the one a ``MailboxStore`` uses unless told otherwise.
public struct MailboxDatabaseOpener: Sendable {
    /// A short human description, e.g. for a benchmark or a CLI to say what it used.
    public let name: String
    /// True when files opened this way are encrypted at rest.
    public let encrypts: Bool
    let implementation: any MailboxDatabaseOpening

    init(name: String, encrypts: Bool, implementation: any MailboxDatabaseOpening) {
        self.name = name
        self.encrypts = encrypts
        self.implementation = implementation
    }

    /// Plain SQLite through the default VFS: no encryption, so it takes no passphrase
    /// (given one, it fails with `MailboxError.passphraseNotSupported` rather than leave
    /// mail in clear behind the caller's back).
    public static let plain = MailboxDatabaseOpener(
        name: "plain SQLite (unencrypted)", encrypts: false, implementation: PlainDatabaseOpener())

    /// The opener stores use by default. This branch has only ``plain``; the encrypted
    /// opener becomes the default here when the encrypting VFS lands.
    public static var standard: MailboxDatabaseOpener { .plain }
}

/// What an opener does: open (or create) the SQLite file at `path`, with a passphrase
/// when the opener encrypts. The returned connection is used by one actor only.
protocol MailboxDatabaseOpening: Sendable {
    func open(path: String, options: MailboxDatabaseOptions) throws -> SQLiteConnection
}

/// The settings an opener receives.
struct MailboxDatabaseOptions {
    var create: Bool
    var readOnly: Bool
    var passphrase: String?
    var synchronousCommits: Bool
}

/// Opens files with SQLite's default VFS.
struct PlainDatabaseOpener: MailboxDatabaseOpening {
    func open(path: String, options: MailboxDatabaseOptions) throws -> SQLiteConnection {
        guard options.passphrase == nil else { throw MailboxError.passphraseNotSupported }
        var configuration = SQLiteConnection.Configuration()
        configuration.create = options.create
        configuration.readOnly = options.readOnly
        configuration.synchronous = options.synchronousCommits ? .full : .normal
        return try SQLiteConnection(path: path, configuration: configuration)
    }
}
