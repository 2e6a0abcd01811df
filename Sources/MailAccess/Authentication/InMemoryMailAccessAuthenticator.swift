public import EncryptedMailbox
import Synchronization

/// The fake authenticator for a host's tests: a table of login names, passwords and
/// mailbox user ids over any `MailboxStoring` (such as `InMemoryMailboxStore`). A login
/// succeeds when the name is in the table with that password; the mailbox is then opened
/// (shared, as ``MailboxStoreAuthenticator`` does) without a passphrase.
public final class InMemoryMailAccessAuthenticator: MailAccessAuthenticator {
    private struct Account {
        var password: String
        var userID: String
    }

    private let accounts = Mutex<[String: Account]>([:])
    /// The open mailboxes its sessions share.
    public let mailboxes: SharedMailboxes

    /// An authenticator with no accounts, opening mailboxes in `store`.
    public init(store: any MailboxStoring) { mailboxes = SharedMailboxes(store: store) }

    /// Adds or replaces the account `login` (with its password and mailbox user id).
    public func setAccount(login: String, password: String, userID: String) {
        accounts.withLock { $0[login] = Account(password: password, userID: userID) }
    }

    /// Removes the account `login`.
    public func removeAccount(login: String) {
        accounts.withLock { _ = $0.removeValue(forKey: login) }
    }

    /// Checks the table, then opens the mailbox.
    public func authenticate(_ credentials: MailAccessCredentials) async -> MailAccessAuthentication {
        guard let account = accounts.withLock({ $0[credentials.login] }),
            Self.constantTimeEqual(Array(account.password.utf8), Array(credentials.password.utf8))
        else { return .refused }
        do {
            return .accepted(try await mailboxes.lease(userID: account.userID, passphrase: nil))
        } catch {
            return .unavailable(temporary: true)
        }
    }

    /// Compares without stopping at the first difference.
    private static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<min(left.count, right.count) { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
