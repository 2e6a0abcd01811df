import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess

/// Our IMAPServer on loopback for the side-by-side peer tests: a real encrypted
/// `MailboxStore` in a temporary folder, `alice`/`secret1` holding the same messages as
/// Dovecot (appended in the same order, with the same flags and internal dates), the same
/// quota figures, STARTTLS and an IMAPS port with the given certificate.
final class IMAPPeerOurServer: Sendable {
    let folder: TemporaryDirectory
    let store: MailboxStore
    let authenticator: MailboxStoreAuthenticator
    let server: IMAPServer
    private let running: Task<Void, Never>

    private init(folder: TemporaryDirectory, store: MailboxStore, authenticator: MailboxStoreAuthenticator, server: IMAPServer, running: Task<Void, Never>) {
        self.folder = folder
        self.store = store
        self.authenticator = authenticator
        self.server = server
        self.running = running
    }

    var port: UInt16 { server.localAddress.port }
    var implicitTLSPort: UInt16? { server.implicitTLSLocalAddress?.port }

    /// Starts the server with `messages` in INBOX (UIDs 1, 2, ... in order).
    static func start(messages: [DovecotIMAPServer.Message], certificateChain: String, privateKey: String) async throws -> IMAPPeerOurServer {
        let folder = try TemporaryDirectory(prefix: "imap-peer-ours")
        var storeConfiguration = MailboxStore.Configuration()
        // Dovecot's quota_rule in DovecotIMAPServer: 1 GiB and 1,000,000 messages.
        storeConfiguration.quota = MailboxQuota(maxBytes: 1 << 30, maxMessages: 1_000_000)
        let store = try MailboxStore(directory: folder.url, configuration: storeConfiguration)
        let mailbox = try await store.createMailbox(userID: DovecotIMAPServer.user, passphrase: DovecotIMAPServer.password)
        var start = 0
        while start < messages.count {
            let batch = messages[start..<min(start + 1_000, messages.count)].map { message in
                let flags = MessageFlags.named.filter { message.flags.contains($0.name) }.reduce(into: MessageFlags()) { $0.insert($1.flag) }
                return MessageToAppend(
                    message.bytes, flags: flags, keywords: message.flags.filter { !$0.hasPrefix("\\") }, internalDate: message.internalDate)
            }
            _ = try await mailbox.append(contentsOf: batch, to: "INBOX")
            start += batch.count
        }
        // Dovecot finds the corpus in its Maildir's cur/ with UIDs already in dovecot-uidlist:
        // seen by an earlier session, not \Recent. Here too: an earlier session claimed them.
        _ = try await mailbox.claimAllRecent(in: "INBOX")
        await mailbox.close()
        var configuration = IMAPServer.Configuration(serverName: "imap.test")
        configuration.tls = MailAccessTLSFiles(certificateChainFile: certificateChain, privateKeyFile: privateKey)
        var limiter = LoginRateLimiter.Configuration()
        limiter.failureDelay = .zero
        configuration.loginRateLimiter = LoginRateLimiter(configuration: limiter)
        let authenticator = MailboxStoreAuthenticator(store: store)
        let server = try await IMAPServer(
            address: try SocketAddress("127.0.0.1:0"), implicitTLSAddress: try SocketAddress("127.0.0.1:0"),
            configuration: configuration, authenticator: authenticator)
        let running = Task { _ = try? await server.run() }
        return IMAPPeerOurServer(folder: folder, store: store, authenticator: authenticator, server: server, running: running)
    }

    /// INBOX now, in UID order (flags as IMAP names, sorted), read through the server's
    /// shared mailbox.
    func inbox() async throws -> [(uid: UInt32, flags: [String], bytes: [UInt8])] {
        let lease = try await authenticator.mailboxes.lease(userID: DovecotIMAPServer.user, passphrase: DovecotIMAPServer.password)
        let messages = try await lease.mailbox.fetch(.all, in: "INBOX", content: .whole)
        await lease.release()
        return messages.map { ($0.uid, ($0.flags.imapNames + $0.keywords).sorted(), $0.content ?? []) }
    }

    func stop() async {
        server.close()
        await running.value
    }
}
