import Foundation

/// A ``MailboxStoring`` fake that keeps every mailbox in memory: the same rules as
/// ``MailboxStore`` (user id checks, one writer per mailbox with `.locked` for the next,
/// read-only handles alongside, `.readOnly` and `.closed` errors, deletion refused while a
/// writer has it), and the mailboxes are ``InMemoryMailbox`` values.
public actor InMemoryMailboxStore: MailboxStoring {
    /// How the fake store behaves.
    public struct Configuration: Sendable {
        /// Limits each mailbox gets. Default: none.
        public var quota: MailboxQuota = .unlimited
        /// Behave like a store with an encrypting opener: a passphrase is required, and
        /// opening with another one fails with `.wrongPassphrase`. False behaves like the
        /// plain opener, which refuses any passphrase. Default: false.
        public var encrypts = false
        /// The defaults above.
        public init() {}
    }

    private struct Entry {
        var mailbox: InMemoryMailbox
        var passphrase: String?
        var writer: UUID?
    }

    private var entries: [String: Entry] = [:]
    private let configuration: Configuration

    /// An empty store.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    // The checks run in the order MailboxStore makes them: user id, existence, writer
    // lock, then the passphrase (which the file's opener checks last).
    private func check(userID: String) throws(MailboxError) {
        guard !userID.isEmpty, userID.utf8.count <= 1024 else { throw MailboxError.invalidUserID }
    }

    private func check(passphrase: String?, expected: String?) throws(MailboxError) {
        if configuration.encrypts {
            guard let passphrase else { throw MailboxError.wrongPassphrase.with(message: "this store needs a passphrase") }
            guard expected == nil || passphrase == expected else { throw MailboxError.wrongPassphrase }
        } else if passphrase != nil {
            throw MailboxError.passphraseNotSupported
        }
    }

    /// Creates a mailbox and opens it for writing.
    public func createMailbox(userID: String, passphrase: String?) throws -> any Mailbox {
        try check(userID: userID)
        guard entries[userID] == nil else { throw MailboxError.mailboxExists }
        try check(passphrase: passphrase, expected: nil)
        var mailboxConfiguration = InMemoryMailbox.Configuration()
        mailboxConfiguration.quota = configuration.quota
        entries[userID] = Entry(mailbox: InMemoryMailbox(configuration: mailboxConfiguration), passphrase: passphrase, writer: nil)
        return try openMailbox(userID: userID, passphrase: passphrase, readOnly: false)
    }

    /// Opens a mailbox for writing or read-only.
    public func openMailbox(userID: String, passphrase: String?, readOnly: Bool) throws -> any Mailbox {
        try check(userID: userID)
        guard var entry = entries[userID] else { throw MailboxError.mailboxNotFound }
        if !readOnly && entry.writer != nil { throw MailboxError.locked }
        try check(passphrase: passphrase, expected: entry.passphrase)
        if readOnly {
            return InMemoryMailboxHandle(backing: entry.mailbox, readOnly: true) {}
        }
        let token = UUID()
        entry.writer = token
        entries[userID] = entry
        return InMemoryMailboxHandle(backing: entry.mailbox, readOnly: false) { [weak self] in
            await self?.release(userID: userID, token: token)
        }
    }

    private func release(userID: String, token: UUID) {
        if entries[userID]?.writer == token { entries[userID]?.writer = nil }
    }

    /// Deletes a mailbox.
    public func deleteMailbox(userID: String) throws {
        try check(userID: userID)
        guard let entry = entries[userID] else { throw MailboxError.mailboxNotFound }
        guard entry.writer == nil else { throw MailboxError.locked }
        entries[userID] = nil
    }

    /// True when the user has a mailbox.
    public func mailboxExists(userID: String) throws -> Bool {
        try check(userID: userID)
        return entries[userID] != nil
    }
}
