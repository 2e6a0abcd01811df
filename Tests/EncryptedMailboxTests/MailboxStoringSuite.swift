import CommunityMailMessage
import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import Testing

/// Makes a fresh store of one implementation.
struct StoreFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable () throws -> (store: any MailboxStoring, directory: TemporaryDirectory?)
    var testDescription: String { name }

    static let all = [
        StoreFactory(name: "MailboxStore") {
            let directory = try TemporaryDirectory(prefix: "storing-test")
            var configuration = MailboxStore.Configuration()
            configuration.synchronous = .normal
            configuration.opener = .plain
            return (try MailboxStore(directory: directory.url, configuration: configuration), directory)
        },
        StoreFactory(name: "InMemoryMailboxStore") { (InMemoryMailboxStore(), nil) },
    ]
}

@Suite("Mailbox stores, on files and in memory")
struct MailboxStoringSuite {
    @Test("Create, open, one writer, readers alongside, close, delete", arguments: StoreFactory.all)
    func lifecycle(factory: StoreFactory) async throws {
        let (store, directory) = try factory.make()
        _ = directory
        #expect(try await !store.mailboxExists(userID: "u"))
        await #expect(throws: MailboxError.mailboxNotFound) { try await store.openMailbox(userID: "u", passphrase: nil, readOnly: false) }
        await #expect(throws: MailboxError.invalidUserID) { try await store.createMailbox(userID: "", passphrase: nil) }
        await #expect(throws: MailboxError.passphraseNotSupported) { try await store.createMailbox(userID: "u", passphrase: "x") }
        await #expect(throws: MailboxError.mailboxNotFound) { try await store.openMailbox(userID: "u", passphrase: "x", readOnly: true) }
        await #expect(throws: MailboxError.invalidUserID) { try await store.deleteMailbox(userID: "") }
        await #expect(throws: MailboxError.invalidUserID) { try await store.mailboxExists(userID: String(repeating: "u", count: 1025)) }
        #expect(try await !store.mailboxExists(userID: "u"))

        let writer = try await store.createMailbox(userID: "u", passphrase: nil)
        #expect(try await store.mailboxExists(userID: "u"))
        await #expect(throws: MailboxError.mailboxExists) { try await store.createMailbox(userID: "u", passphrase: nil) }
        await #expect(throws: MailboxError.locked) { try await store.openMailbox(userID: "u", passphrase: nil, readOnly: false) }
        await #expect(throws: MailboxError.locked) { try await store.deleteMailbox(userID: "u") }
        await #expect(throws: MailboxError.mailboxExists) { try await store.createMailbox(userID: "u", passphrase: "x") }
        await #expect(throws: MailboxError.locked) { try await store.openMailbox(userID: "u", passphrase: "x", readOnly: false) }
        await #expect(throws: MailboxError.passphraseNotSupported) { try await store.openMailbox(userID: "u", passphrase: "x", readOnly: true) }
        try await writer.append(Samples.message(subject: "kept"), to: "INBOX")

        let reader = try await store.openMailbox(userID: "u", passphrase: nil, readOnly: true)
        // The writer's events reach its own listeners and end when it closes.
        let writerEvents = await writer.events()
        let collected = Task { () -> [MailboxEvent] in
            var seen: [MailboxEvent] = []
            for await event in writerEvents { seen.append(event) }
            return seen
        }
        #expect(try await reader.fetch(.all, in: "INBOX", content: .metadata).map(\.envelope.subject) == ["kept"])
        await #expect(throws: MailboxError.readOnly) { try await reader.append(Samples.message(), to: "INBOX") }
        await #expect(throws: MailboxError.readOnly) { try await reader.store(.add([.seen]), on: .all, in: "INBOX") }

        try await writer.append(Samples.message(subject: "evented"), to: "INBOX")
        await writer.close()
        await writer.close()
        #expect(await collected.value == [.messagesAdded(folder: "INBOX", uids: [2])])
        await #expect(throws: MailboxError.closed) { try await writer.folders() }
        let second = try await store.openMailbox(userID: "u", passphrase: nil, readOnly: false)
        #expect(try await second.status(of: "INBOX").messageCount == 2)
        #expect(try await second.append(Samples.message(), to: "INBOX").uid == 3)
        await second.close()
        await reader.close()
        await #expect(throws: MailboxError.closed) { try await reader.usage() }

        try await store.deleteMailbox(userID: "u")
        #expect(try await !store.mailboxExists(userID: "u"))
        await #expect(throws: MailboxError.mailboxNotFound) { try await store.deleteMailbox(userID: "u") }
        let fresh = try await store.createMailbox(userID: "u", passphrase: nil)
        #expect(try await fresh.status(of: "INBOX").messageCount == 0)
        await fresh.close()
    }

    @Test("The fake store in encrypting mode checks passphrases")
    func fakePassphrases() async throws {
        var configuration = InMemoryMailboxStore.Configuration()
        configuration.encrypts = true
        let store = InMemoryMailboxStore(configuration: configuration)
        await #expect(throws: MailboxError.wrongPassphrase) { try await store.createMailbox(userID: "u", passphrase: nil) }
        let mailbox = try await store.createMailbox(userID: "u", passphrase: "right")
        await mailbox.close()
        await #expect(throws: MailboxError.wrongPassphrase) { try await store.openMailbox(userID: "u", passphrase: "wrong", readOnly: true) }
        let again = try await store.openMailbox(userID: "u", passphrase: "right", readOnly: false)
        #expect(try await again.folders().count == SpecialUse.allCases.count)
    }
}
