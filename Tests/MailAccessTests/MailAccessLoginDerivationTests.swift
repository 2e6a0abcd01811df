import CommunityMailCrypto
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
@testable import MailAccess
import Testing

/// How many PBKDF2 derivations each kind of login costs, counted (never timed) through
/// `PBKDF2Observation` on a random password per case, over a real encrypted
/// `MailboxStore`: one per login, whether the mailbox is open already (the read-only probe
/// still proves the password against the file) or not, and one for a refused login
/// whatever the reason, so that an unknown name takes as long as a wrong password.
@Suite("Login key derivations: one per login, and one for an unknown name too")
struct MailAccessLoginDerivationTests {
    /// A store with one member, "alice", whose passphrase is returned.
    static func store(iterations: Int = 1000) async throws -> (TemporaryDirectory, MailboxStore, String) {
        let folder = try TemporaryDirectory(prefix: "login-kdf")
        var configuration = MailboxStore.Configuration()
        configuration.opener = .encrypted(kdfIterations: iterations)
        let store = try MailboxStore(directory: folder.url, configuration: configuration)
        let password = try randomPassword()
        let created = try await store.createMailbox(userID: "alice", passphrase: password)
        await created.close()
        return (folder, store, password)
    }

    static func randomPassword() throws -> String { "pw-" + Hex.encode(try SecureRandom.bytes(12)) }

    /// Runs `body` and returns how many derivations it ran over `password`.
    static func derivations(of password: String, _ body: () async throws -> Void) async rethrows -> Int {
        let bytes = Array(password.utf8)
        PBKDF2Observation.watch(password: bytes)
        defer { PBKDF2Observation.stopWatching(password: bytes) }
        try await body()
        return PBKDF2Observation.derivations(password: bytes) ?? -1
    }

    static func login(_ authenticator: MailboxStoreAuthenticator, _ name: String, _ password: String) async -> MailboxLease? {
        if case .accepted(let lease) = await authenticator.authenticate(MailAccessCredentials(login: name, password: password)) {
            return lease
        }
        return nil
    }

    @Test("First login, second login beside it (read-only probe), and a login after both closed: one derivation each")
    func oneDerivationPerLogin() async throws {
        let (folder, store, password) = try await Self.store()
        let authenticator = MailboxStoreAuthenticator(store: store)
        var first: MailboxLease?
        let firstCount = await Self.derivations(of: password) { first = await Self.login(authenticator, "alice", password) }
        #expect(firstCount == 1)
        #expect(first != nil)
        var second: MailboxLease?
        let secondCount = await Self.derivations(of: password) { second = await Self.login(authenticator, "alice", password) }
        #expect(secondCount == 1)
        #expect(second != nil)
        await second?.release()
        await first?.release()
        #expect(await authenticator.mailboxes.openCount == 0)
        var third: MailboxLease?
        let thirdCount = await Self.derivations(of: password) { third = await Self.login(authenticator, "alice", password) }
        #expect(thirdCount == 1)
        #expect(third != nil)
        await third?.release()
        _ = folder
    }

    @Test("A wrong password costs one derivation, with the mailbox closed or open")
    func wrongPassword() async throws {
        let (folder, store, password) = try await Self.store()
        let authenticator = MailboxStoreAuthenticator(store: store)
        let wrong = try Self.randomPassword()
        var refused = false
        let closedCount = await Self.derivations(of: wrong) { refused = await Self.login(authenticator, "alice", wrong) == nil }
        #expect(refused && closedCount == 1)
        let lease = await Self.login(authenticator, "alice", password)
        #expect(lease != nil)
        refused = false
        let openCount = await Self.derivations(of: wrong) { refused = await Self.login(authenticator, "alice", wrong) == nil }
        #expect(refused && openCount == 1)
        await lease?.release()
        _ = folder
    }

    @Test("An unknown name, a name the host refuses and an invalid name each cost one derivation, as a wrong password does")
    func unknownNames() async throws {
        let (folder, store, _) = try await Self.store()
        var configuration = MailboxStoreAuthenticator.Configuration()
        configuration.userID = { name in name == "blocked" || name.isEmpty ? nil : name }
        let authenticator = MailboxStoreAuthenticator(store: store, configuration: configuration)
        // The decoy follows the store's own iteration count.
        #expect(authenticator.unknownNameIterations == 1000)
        for name in ["bob", "blocked", "", String(repeating: "x", count: 2000)] {
            let password = try Self.randomPassword()
            var refused = false
            let count = await Self.derivations(of: password) { refused = await Self.login(authenticator, name, password) == nil }
            #expect(refused, "name of \(name.utf8.count) bytes")
            #expect(count == 1, "name of \(name.utf8.count) bytes")
        }
        _ = folder
    }

    @Test("An empty password is refused for a known name and an unknown one alike")
    func emptyPassword() async throws {
        let (folder, store, _) = try await Self.store()
        let authenticator = MailboxStoreAuthenticator(store: store)
        // Nothing is derived for either (an unknown name's decoy would count here).
        let count = await Self.derivations(of: "") {
            #expect(await Self.login(authenticator, "alice", "") == nil)
            #expect(await Self.login(authenticator, "bob", "") == nil)
        }
        #expect(count == 0)
        #expect(await authenticator.mailboxes.openCount == 0)
        _ = folder
    }

    @Test("Iterations for an unknown name: the store's opener's (none for a plain one), the configured count, or 64007 for other stores")
    func unknownNameIterations() async throws {
        let (folder, store, _) = try await Self.store(iterations: 2500)
        #expect(MailboxStoreAuthenticator(store: store).unknownNameIterations == 2500)
        var configuration = MailboxStoreAuthenticator.Configuration()
        configuration.unknownNameKeyDerivationIterations = 77
        #expect(MailboxStoreAuthenticator(store: store, configuration: configuration).unknownNameIterations == 77)
        #expect(MailboxStoreAuthenticator(store: InMemoryMailboxStore()).unknownNameIterations == 64007)
        // A plain store derives for no login, so an unknown name costs nothing either.
        let plainFolder = try TemporaryDirectory(prefix: "login-kdf-plain")
        var plain = MailboxStore.Configuration()
        plain.opener = .plain
        #expect(MailboxStoreAuthenticator(store: try MailboxStore(directory: plainFolder.url, configuration: plain)).unknownNameIterations == 0)
        _ = folder
        _ = plainFolder
    }
}
