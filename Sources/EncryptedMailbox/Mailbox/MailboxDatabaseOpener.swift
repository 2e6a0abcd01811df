import CommunityMailSQL

/// How mailbox files are opened: ``encrypted`` (the default, ``standard``) in SQLite3
/// Multiple Ciphers' chacha20 format, or ``plain`` as ordinary SQLite files.
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

    /// The opener stores use by default: ``encrypted``, so that each user's mail is
    /// readable only with their passphrase.
    public static var standard: MailboxDatabaseOpener { .encrypted }
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
