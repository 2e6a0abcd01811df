import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import Testing

/// A mailbox under test and whatever must live as long as it (a temporary directory).
final class MailboxUnderTest: Sendable {
    let mailbox: any Mailbox
    let directory: TemporaryDirectory?

    init(mailbox: any Mailbox, directory: TemporaryDirectory?) {
        self.mailbox = mailbox
        self.directory = directory
    }
}

/// Makes a fresh mailbox of one implementation; the shared suite runs over both.
struct MailboxFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable (MailboxQuota) throws -> MailboxUnderTest

    var testDescription: String { name }

    static let sqlite = MailboxFactory(name: "SQLiteMailbox (plain)") { quota in
        try sqliteMailbox(quota: quota, opener: .plain, passphrase: nil)
    }

    /// The encrypted file, with few KDF iterations so the suite stays quick.
    static let encrypted = MailboxFactory(name: "SQLiteMailbox (encrypted)") { quota in
        try sqliteMailbox(quota: quota, opener: .encrypted(kdfIterations: 1000), passphrase: "correct horse battery staple")
    }

    static func sqliteMailbox(quota: MailboxQuota, opener: MailboxDatabaseOpener, passphrase: String?) throws -> MailboxUnderTest {
        let directory = try TemporaryDirectory(prefix: "mailbox-test")
        var configuration = MailboxStore.Configuration()
        configuration.quota = quota
        configuration.synchronous = .normal
        configuration.opener = opener
        let store = try MailboxStore(directory: directory.url, configuration: configuration)
        return MailboxUnderTest(
            mailbox: try store.create(userID: "user-\(UUID().uuidString)", passphrase: passphrase), directory: directory)
    }

    static let fake = MailboxFactory(name: "InMemoryMailbox") { quota in
        var configuration = InMemoryMailbox.Configuration()
        configuration.quota = quota
        return MailboxUnderTest(mailbox: InMemoryMailbox(configuration: configuration), directory: nil)
    }

    static let all = [sqlite, encrypted, fake]

    func callAsFunction(quota: MailboxQuota = .unlimited) throws -> MailboxUnderTest { try make(quota) }
}

/// Small hand-written messages for the suite.
enum Samples {
    static func message(
        subject: String = "Hello", from: String = "Alice <alice@example.org>", to: String = "bob@example.org",
        messageID: String? = nil, inReplyTo: String? = nil, references: String? = nil,
        date: String = "Tue, 3 Nov 2026 10:15:00 +0100", body: String = "Just a short note.\n", extraHeaders: String = ""
    ) -> [UInt8] {
        var text = "From: \(from)\r\nTo: \(to)\r\nSubject: \(subject)\r\nDate: \(date)\r\n"
        if let messageID { text += "Message-ID: <\(messageID)>\r\n" }
        if let inReplyTo { text += "In-Reply-To: <\(inReplyTo)>\r\n" }
        if let references { text += "References: \(references)\r\n" }
        text += extraHeaders
        text += "\r\n" + body
        return Array(text.utf8)
    }

    static func date(_ seconds: Int) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
}
