import EncryptedMailbox
import MailAccess

extension InMemoryMailAccessAuthenticator {
    /// A fresh in-memory store where member `alice` (password `pw`) logs in to user `u1`,
    /// whose INBOX holds one message (`Subject: one`); the store too, for a test that
    /// reopens the mailbox.
    static func aliceWithOneMessage() async throws -> (store: InMemoryMailboxStore, authenticator: InMemoryMailAccessAuthenticator) {
        let store = InMemoryMailboxStore()
        let mailbox = try await store.createMailbox(userID: "u1", passphrase: nil)
        _ = try await mailbox.append(Array("Subject: one\r\n\r\nbody\r\n".utf8), to: "INBOX")
        await mailbox.close()
        let authenticator = InMemoryMailAccessAuthenticator(store: store)
        authenticator.setAccount(login: "alice", password: "pw", userID: "u1")
        return (store, authenticator)
    }
}
