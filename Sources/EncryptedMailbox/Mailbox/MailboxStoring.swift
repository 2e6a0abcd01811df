import CommunityMailSystem

/// Where mailboxes live, one per user: ``MailboxStore`` keeps SQLite files in a directory;
/// ``InMemoryMailboxStore`` is the fake for a host's tests, with the same rules (one writer
/// at a time, read-only openers alongside, typed errors).
public protocol MailboxStoring: Sendable {
    /// Creates `userID`'s mailbox (INBOX and the special-use folders), open for writing.
    /// - Throws: `.mailboxExists`, `.invalidUserID`, `.passphraseNotSupported`.
    func createMailbox(userID: String, passphrase: String?) async throws -> any Mailbox
    /// Opens `userID`'s mailbox for writing (one writer at a time) or read-only.
    /// - Throws: `.mailboxNotFound`, `.locked`, `.wrongPassphrase`, `.passphraseNotSupported`.
    func openMailbox(userID: String, passphrase: String?, readOnly: Bool) async throws -> any Mailbox
    /// Deletes `userID`'s mailbox.
    /// - Throws: `.mailboxNotFound`, `.locked` while a writer has it open.
    func deleteMailbox(userID: String) async throws
    /// True when `userID` has a mailbox.
    func mailboxExists(userID: String) async throws -> Bool
}

extension MailboxStore: MailboxStoring {
    /// ``create(userID:passphrase:)`` as the protocol spells it, run on the blocking executor
    /// (creating runs the passphrase's key derivation and SQLite's first writes).
    public func createMailbox(userID: String, passphrase: String?) async throws -> any Mailbox {
        try await BlockingExecutor.shared.run { () throws(any Error) -> SQLiteMailbox in
            try self.create(userID: userID, passphrase: passphrase)
        }
    }

    /// ``open(userID:passphrase:readOnly:)`` as the protocol spells it, run on the blocking
    /// executor (opening derives the key from the passphrase and opens the connections).
    public func openMailbox(userID: String, passphrase: String?, readOnly: Bool) async throws -> any Mailbox {
        try await BlockingExecutor.shared.run { () throws(any Error) -> SQLiteMailbox in
            try self.open(userID: userID, passphrase: passphrase, readOnly: readOnly)
        }
    }

    /// ``delete(userID:)`` as the protocol spells it.
    public func deleteMailbox(userID: String) throws { try delete(userID: userID) }

    /// ``exists(userID:)`` as the protocol spells it.
    public func mailboxExists(userID: String) throws -> Bool { try exists(userID: userID) }
}
