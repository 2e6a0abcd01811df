import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess
import Testing

/// RFC 1939's exclusive-access lock on the maildrop, and one mailbox shared with the
/// member's other sessions (IMAP later): a second POP3 login gets `-ERR [IN-USE]`; the
/// lock goes with the session; what POP3's QUIT expunges reaches another holder's events.
@Suite struct POP3MaildropLockTests {
    @Test func secondSessionIsRefusedUntilTheFirstEnds() async throws {
        let fixture = try await POP3ServerFixture.start(tls: false, plaintext: .allowedOnLoopback)
        let first = try await POP3LineClient(port: fixture.port)
        _ = try await first.readLine()
        try await first.send("USER alice\r\nPASS secret1\r\n")
        #expect(try await first.readLines(count: 2).last?.hasPrefix("+OK maildrop") == true)
        let second = try await POP3LineClient(port: fixture.port)
        _ = try await second.readLine()
        try await second.send("USER alice\r\nPASS secret1\r\n")
        #expect(try await second.readLines(count: 2).last == "-ERR [IN-USE] the maildrop is in use by another POP3 session")
        // A wrong password is told as such, not as IN-USE (the lock tells nothing to a guesser).
        try await second.send("USER alice\r\nPASS wrong\r\n")
        #expect(try await second.readLines(count: 2).last == "-ERR [AUTH] authentication failed")
        try await first.send("QUIT\r\n")
        #expect(try await first.readLine()?.hasPrefix("+OK") == true)
        try await waitUntil("the first session ended") {
            fixture.events.contains { if case .sessionEnded(.pop3, .loggedOut, _, _) = $0 { true } else { false } }
        }
        try await second.send("USER alice\r\nPASS secret1\r\n")
        #expect(try await second.readLines(count: 2).last?.hasPrefix("+OK maildrop") == true)
        await first.close()
        await second.close()
        await fixture.stop()
    }

    @Test func quitExpungeReachesAnotherHolderOfTheMailbox() async throws {
        let store = InMemoryMailboxStore()
        let mailbox = try await store.createMailbox(userID: "u1", passphrase: nil)
        for message in POP3TestMessages.all.prefix(3) { try await mailbox.append(message, to: "INBOX") }
        await mailbox.close()
        let authenticator = InMemoryMailAccessAuthenticator(store: store)
        authenticator.setAccount(login: "alice", password: "secret1", userID: "u1")
        // Another session of the member (as IMAP will be) holds the same open mailbox.
        guard case .accepted(let other) = await authenticator.authenticate(MailAccessCredentials(login: "alice", password: "secret1")) else {
            Issue.record("the fake refused the right password")
            return
        }
        let events = await other.mailbox.events()
        var configuration = POP3Server.Configuration(serverName: "pop.test")
        configuration.plaintextAuthentication = .allowed
        let server = try await POP3Server(address: try SocketAddress("127.0.0.1:0"), configuration: configuration, authenticator: authenticator)
        let running = Task { _ = try? await server.run() }
        let client = try await POP3LineClient(port: server.localAddress.port)
        _ = try await client.readLine()
        try await client.send("USER alice\r\nPASS secret1\r\nDELE 2\r\nQUIT\r\n")
        let lines = try await client.readToEnd()
        #expect(lines.count == 4 && lines.allSatisfy { $0.hasPrefix("+OK") })
        var seen: [UInt32] = []
        for await event in events {
            if case .messagesExpunged("INBOX", let uids) = event {
                seen = uids
                break
            }
        }
        #expect(seen.count == 1)
        #expect(try await other.mailbox.fetch(.all, in: "INBOX", content: .whole).map { $0.content ?? [] } == [POP3TestMessages.all[0], POP3TestMessages.all[2]])
        await other.release()
        await client.close()
        server.close()
        await running.value
    }

    @Test func wrongPassphraseWhileTheMailboxIsOpenIsRefused() async throws {
        let folder = try TemporaryDirectory(prefix: "shared-mailboxes")
        let store = try MailboxStore(directory: folder.url)
        await (try store.createMailbox(userID: "alice", passphrase: "secret1")).close()
        let authenticator = MailboxStoreAuthenticator(store: store)
        guard case .accepted(let first) = await authenticator.authenticate(MailAccessCredentials(login: "alice", password: "secret1")) else {
            Issue.record("the right passphrase was refused")
            return
        }
        // Open already: a wrong passphrase must still fail (it is checked on the file).
        guard case .refused = await authenticator.authenticate(MailAccessCredentials(login: "alice", password: "secret2")) else {
            Issue.record("a wrong passphrase was accepted while the mailbox was open")
            return
        }
        guard case .accepted(let second) = await authenticator.authenticate(MailAccessCredentials(login: "alice", password: "secret1")) else {
            Issue.record("a second session was refused")
            return
        }
        #expect(second.mailbox as AnyObject === first.mailbox as AnyObject)
        #expect(await authenticator.mailboxes.openCount == 1)
        await first.release()
        await second.release()
        #expect(await authenticator.mailboxes.openCount == 0)
        // Closed: the writer lock is free again.
        let writer = try await store.openMailbox(userID: "alice", passphrase: "secret1", readOnly: false)
        await writer.close()
    }
}
