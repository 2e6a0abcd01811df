public import EncryptedMailbox

/// The real authenticator: the password is the member's mailbox passphrase, so a login
/// succeeds exactly when it opens the member's encrypted mailbox in a `MailboxStoring`.
/// Which login names may log in, and which mailbox each one opens, is the host's
/// ``Configuration/userID`` (by default the name itself, when the store accepts it).
public struct MailboxStoreAuthenticator: MailAccessAuthenticator {
    /// How login names map to mailboxes.
    public struct Configuration: Sendable {
        /// The mailbox user id for a login name, or nil when that name may not log in.
        /// Default: the name itself, unless it is empty or longer than 255 bytes.
        public var userID: @Sendable (String) async -> String?

        /// The defaults.
        public init() {
            userID = { name in name.isEmpty || name.utf8.count > 255 ? nil : name }
        }
    }

    /// The open mailboxes this authenticator's sessions share.
    public let mailboxes: SharedMailboxes
    private let configuration: Configuration

    /// An authenticator over `store`; give the same one to the POP3 and IMAP servers so
    /// their sessions share each member's open mailbox.
    public init(store: any MailboxStoring, configuration: Configuration = Configuration()) {
        mailboxes = SharedMailboxes(store: store)
        self.configuration = configuration
    }

    /// Opens the member's mailbox with the password as its passphrase.
    public func authenticate(_ credentials: MailAccessCredentials) async -> MailAccessAuthentication {
        guard let userID = await configuration.userID(credentials.login) else { return .refused }
        do {
            return .accepted(try await mailboxes.lease(userID: userID, passphrase: credentials.password))
        } catch let error as MailboxError {
            switch error {
            case .wrongPassphrase, .mailboxNotFound, .invalidUserID, .passphraseNotSupported: return .refused
            default: return .unavailable(temporary: error.isTransient || error == .locked)
            }
        } catch {
            return .unavailable(temporary: true)
        }
    }
}
