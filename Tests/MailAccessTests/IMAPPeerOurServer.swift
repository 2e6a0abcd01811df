import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import MailAccess

/// Our IMAPServer on loopback for the side-by-side peer tests: an ``IMAPServerFixture``
/// whose real encrypted `MailboxStore` holds, for `alice`/`secret1`, the same messages as
/// Dovecot (appended in the same order, with the same flags and internal dates) and the same
/// quota figures, with STARTTLS and an IMAPS port on the given certificate.
enum IMAPPeerOurServer {
    /// Starts the server with `messages` in INBOX (UIDs 1, 2, ... in order).
    static func start(messages: [DovecotIMAPServer.Message], certificateChain: String, privateKey: String) async throws -> IMAPServerFixture {
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
        var configuration = IMAPServer.fixtureConfiguration()
        configuration.tls = MailAccessTLSFiles(certificateChainFile: certificateChain, privateKeyFile: privateKey)
        configuration.loginRateLimiter = .withoutFailureDelay()
        return try await IMAPServerFixture.start(serving: store, in: folder, configuration: configuration, certificates: nil)
    }
}

extension MailAccessServerFixture where Server == IMAPServer {
    /// INBOX now, in UID order (flags as IMAP names, sorted), read through the server's
    /// shared mailbox.
    func inbox() async throws -> [(uid: UInt32, flags: [String], bytes: [UInt8])] {
        let messages = try await withSharedMailbox { try await $0.fetch(.all, in: "INBOX", content: .whole) }
        return messages.map { ($0.uid, ($0.flags.imapNames + $0.keywords).sorted(), $0.content ?? []) }
    }
}
