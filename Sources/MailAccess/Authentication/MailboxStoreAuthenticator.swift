import CommunityMailCrypto
import CommunityMailSystem
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

        /// PBKDF2 iterations spent on a login name that has no mailbox (``userID`` says nil,
        /// or the store has no mailbox for it), so that it is refused only after the same
        /// key derivation as a wrong password: a client cannot tell from the answer's delay
        /// which names exist. Nil (the default) uses the store's own count when it is a
        /// `MailboxStore` (0 when its opener does not encrypt, as no login derives there),
        /// else 64007 (sqlite3mc's default, as `MailboxDatabaseOpener.encrypted`); 0 spends
        /// nothing (only for a store without passphrases, such as an in-memory one in tests).
        public var unknownNameKeyDerivationIterations: Int?

        /// The defaults.
        public init() {
            userID = { name in name.isEmpty || name.utf8.count > 255 ? nil : name }
        }
    }

    /// The open mailboxes this authenticator's sessions share.
    public let mailboxes: SharedMailboxes
    private let configuration: Configuration
    /// The PBKDF2 iterations an unknown name costs (see the configuration).
    let unknownNameIterations: Int

    /// An authenticator over `store`; give the same one to the POP3 and IMAP servers so
    /// their sessions share each member's open mailbox.
    public init(store: any MailboxStoring, configuration: Configuration = Configuration()) {
        mailboxes = SharedMailboxes(store: store)
        self.configuration = configuration
        // A store's own opener decides: an encrypting one's count; a plain one derives
        // nothing for anyone (its known names are refused at once), so neither may unknown.
        let storeIterations = (store as? MailboxStore).map { $0.opener.encrypts ? $0.opener.keyDerivationIterations ?? 64007 : 0 }
        unknownNameIterations = max(0, configuration.unknownNameKeyDerivationIterations ?? storeIterations ?? 64007)
    }

    /// Opens the member's mailbox with the password as its passphrase. Every refusal of a
    /// non-empty password costs one key derivation: a wrong password's is the file's own;
    /// an unknown name's is over a random salt, thrown away.
    public func authenticate(_ credentials: MailAccessCredentials) async -> MailAccessAuthentication {
        // No passphrase is empty, so nothing is derived for any name (a known one's opener
        // refuses it before deriving too).
        guard !credentials.password.isEmpty else { return .refused }
        guard let userID = await configuration.userID(credentials.login) else {
            await deriveAndDiscard(password: credentials.password)
            return .refused
        }
        do {
            return .accepted(try await mailboxes.lease(userID: userID, passphrase: credentials.password))
        } catch let error as MailboxError {
            switch error {
            case .mailboxNotFound, .invalidUserID:
                await deriveAndDiscard(password: credentials.password)
                return .refused
            case .wrongPassphrase, .passphraseNotSupported: return .refused
            default: return .unavailable(temporary: error.isTransient || error == .locked)
            }
        } catch {
            return .unavailable(temporary: true)
        }
    }

    /// Spends what a wrong password costs: the key derivation, over a random salt (so its
    /// result opens nothing), on the blocking executor. Its failure changes no answer.
    private func deriveAndDiscard(password: String) async {
        let iterations = unknownNameIterations
        guard iterations > 0 else { return }
        _ = try? await BlockingExecutor.shared.run { () throws(any Error) -> Bool in
            var passwordBytes = Array(password.utf8)
            defer { SecureMemory.wipe(&passwordBytes) }
            var key = try PBKDF2.deriveKey(
                password: passwordBytes, salt: try SecureRandom.bytes(16), iterations: iterations, length: 32, hash: .sha256)
            SecureMemory.wipe(&key)
            return true
        }
    }
}
