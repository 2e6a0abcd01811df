import CommunityMailMessage
import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import Testing

@Suite("MailboxStore: files, names, locks")
struct MailboxStoreTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory(prefix: "store-test") }

    func store(secret: [UInt8]? = nil) throws -> MailboxStore {
        var configuration = MailboxStore.Configuration()
        configuration.synchronous = .normal
        configuration.nameSecret = secret
        configuration.opener = .plain
        return try MailboxStore(directory: folder.url, configuration: configuration)
    }

    @Test("File names are keyed hashes: stable, secret-dependent, revealing nothing")
    func fileNames() throws {
        let store = try store()
        let mailbox = try store.create(userID: "alice@ubuntu.com")
        _ = mailbox
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        #expect(!names.contains { $0.contains("alice") || $0.contains("ubuntu") })
        let identifier = try store.identifier(for: "alice@ubuntu.com")
        #expect(identifier.count == 40 && identifier.allSatisfy(\.isHexDigit))
        #expect(try self.store().identifier(for: "alice@ubuntu.com") == identifier)
        #expect(try store.identifier(for: "bob@ubuntu.com") != identifier)
        let other = try TemporaryDirectory(prefix: "store-test-other")
        #expect(try MailboxStore(directory: other.url).identifier(for: "alice@ubuntu.com") != identifier)
        #expect(try self.store(secret: Array(repeating: 7, count: 32)).identifier(for: "alice@ubuntu.com") != identifier)
        #expect(try store.list().map(\.identifier) == [identifier])
        #expect(try store.exists(userID: "alice@ubuntu.com") && !store.exists(userID: "bob@ubuntu.com"))
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.path("\(identifier).mailbox"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(throws: MailboxError.invalidUserID) { try store.identifier(for: "") }
    }

    @Test("One writer at a time; readers alongside; create, open, delete")
    func writerLock() async throws {
        let store = try store()
        #expect(throws: MailboxError.mailboxNotFound) { try store.open(userID: "u") }
        let writer = try store.create(userID: "u")
        #expect(throws: MailboxError.mailboxExists) { try store.create(userID: "u") }
        #expect(throws: MailboxError.locked) { try store.open(userID: "u") }
        #expect(throws: MailboxError.locked) { try store.delete(userID: "u") }
        try await writer.append(Samples.message(subject: "first"), to: "INBOX")

        let reader = try store.open(userID: "u", readOnly: true)
        let secondReader = try store.open(userID: "u", readOnly: true)
        #expect(try await reader.fetch(.all, in: "INBOX", content: .metadata).map(\.envelope.subject) == ["first"])
        try await writer.append(Samples.message(subject: "second"), to: "INBOX")
        #expect(try await secondReader.status(of: "INBOX").messageCount == 2)
        await #expect(throws: MailboxError.readOnly) { try await reader.append(Samples.message(), to: "INBOX") }
        await #expect(throws: MailboxError.readOnly) { try await reader.createFolder("X") }

        let before = try await writer.status(of: "INBOX")
        await writer.close()
        await #expect(throws: MailboxError.closed) { try await writer.folders() }
        let again = try store.open(userID: "u")
        let after = try await again.status(of: "INBOX")
        #expect(after == before)
        let next = try await again.append(Samples.message(), to: "INBOX")
        #expect(next.uid == 3 && next.modSeq > before.highestModSeq)
        await again.close()
        await reader.close()
        await secondReader.close()

        try store.delete(userID: "u")
        #expect(try !store.exists(userID: "u"))
        #expect(try store.list().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { !$0.hasPrefix(".") }.isEmpty)
    }

    @Test("The plain opener refuses a passphrase instead of storing mail in clear")
    func plainOpenerRefusesPassphrase() throws {
        let store = try store()
        #expect(!MailboxDatabaseOpener.plain.encrypts)
        #expect(throws: MailboxError.passphraseNotSupported) { try store.create(userID: "p", passphrase: "secret") }
        #expect(try !store.exists(userID: "p"))
        var plain = SQLiteMailbox.Configuration()
        plain.opener = .plain
        #expect(throws: MailboxError.passphraseNotSupported) {
            try SQLiteMailbox(path: folder.path("direct.sqlite"), create: true, passphrase: "secret", configuration: plain)
        }
    }

    @Test("A file that is not a mailbox is refused with a storage error")
    func notAMailbox() async throws {
        let path = folder.path("junk.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        var plain = SQLiteMailbox.Configuration()
        plain.opener = .plain
        #expect(throws: MailboxError.storage) { try SQLiteMailbox(path: path, create: false, configuration: plain) }
        var readOnly = plain
        readOnly.readOnly = true
        #expect(throws: MailboxError.storage) { try SQLiteMailbox(path: path, create: false, configuration: readOnly) }
        // Another application's database is not adopted, not even when asked to create.
        let foreign = folder.path("foreign.sqlite")
        let python = try #require(TestPeers.python ?? TestPeers.executable("python3"))
        let child = try ChildProcess(python, ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE notes(x)'); c.commit()", foreign])
        #expect(await child.exited() == 0)
        #expect(throws: MailboxError.storage) { try SQLiteMailbox(path: foreign, create: false, configuration: plain) }
        #expect(throws: MailboxError.storage) { try SQLiteMailbox(path: foreign, create: true, configuration: plain) }
        #expect(throws: MailboxError.storage) { try SQLiteMailbox(path: folder.path("missing.sqlite"), create: false, configuration: plain) }
        _ = try SQLiteMailbox(path: folder.path("new.sqlite"), create: true, configuration: plain)
        _ = try SQLiteMailbox(path: folder.path("new.sqlite"), create: false, configuration: plain)
        // Through the encrypted opener, a plain SQLite file is not a mailbox either.
        #expect(throws: MailboxError.storage) {
            try SQLiteMailbox(path: foreign, create: false, passphrase: "any", configuration: SQLiteMailbox.Configuration())
        }
    }

    @Test("The default opener encrypts: no plaintext on disk, the passphrase is needed, a wrong one is refused")
    func encryptedByDefault() async throws {
        var configuration = MailboxStore.Configuration()
        configuration.synchronous = .normal
        configuration.opener = .encrypted(kdfIterations: 1000)
        let store = try MailboxStore(directory: folder.url, configuration: configuration)
        #expect(MailboxDatabaseOpener.standard.encrypts)
        let marker = "Subject: the-plaintext-marker-7f3a"
        do {
            let mailbox = try store.create(userID: "ana", passphrase: "ana's passphrase")
            _ = try await mailbox.append(Array("From: a@example.org\r\n\(marker)\r\n\r\nbody the-plaintext-marker-7f3a\r\n".utf8), to: "INBOX")
            await mailbox.close()
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.url.path) {
            let bytes = try Data(contentsOf: folder.url.appendingPathComponent(name))
            #expect(bytes.range(of: Data("the-plaintext-marker-7f3a".utf8)) == nil, "\(name) holds plaintext")
        }
        #expect(throws: MailboxError.wrongPassphrase) { try store.open(userID: "ana", passphrase: "not it") }
        #expect(throws: MailboxError.wrongPassphrase) { try store.open(userID: "ana") }
        let reopened = try store.open(userID: "ana", passphrase: "ana's passphrase", readOnly: true)
        #expect(try await reopened.status(of: "INBOX").messageCount == 1)
        await reopened.close()
    }
}
