public import EncryptedMailbox
import Synchronization

/// One session's hold on a member's open mailbox. Sessions of the same member (POP3 and
/// IMAP) share one open mailbox through ``SharedMailboxes``, so every change one makes
/// reaches the others through the mailbox's events; the mailbox closes when the last
/// lease is released.
public final class MailboxLease: Sendable {
    /// The member's mailbox user id (the store's name for the file; not the login name).
    public let userID: String
    /// The open mailbox.
    public let mailbox: any Mailbox
    private let releaseAction: Mutex<(@Sendable () async -> Void)?>

    /// A lease whose `release` runs once, at the first ``release()``.
    public init(userID: String, mailbox: any Mailbox, release: @escaping @Sendable () async -> Void) {
        self.userID = userID
        self.mailbox = mailbox
        releaseAction = Mutex(release)
    }

    /// Gives the mailbox back; later calls do nothing.
    public func release() async {
        let action = releaseAction.withLock { action in
            defer { action = nil }
            return action
        }
        await action?()
    }
}
