@testable import AliasStore
import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

@Suite("The SQLite alias store's file")
struct SQLiteAliasStoreTests {
    @Test("The schema is migrated by user_version, in WAL mode, and data survives reopening")
    func reopen() async throws {
        let folder = try TemporaryDirectory(prefix: "aliases-sqlite")
        let path = folder.path("aliases.sqlite")
        do {
            let store = try SQLiteAliasStore(path: path)
            try await store.seedStandard()
            try await store.add("alice", to: ["alice@home.example"])
        }
        let reopened = try SQLiteAliasStore(path: path)
        #expect(await reopened.resolve("alice@example.org") == .recipients(["alice@home.example"]))
        #expect(try await reopened.changes(after: 0, limit: 100).count == 15)
        let raw = try SQLiteConnection(path: path)
        #expect(try raw.userVersion == 2)
        #expect(try raw.queryFirst("PRAGMA journal_mode")?[0].textValue == "wal")
        #expect(try raw.integrityCheck() == ["ok"])
        // The database itself refuses what the rules refuse, even if the code were bypassed.
        #expect(throws: SQLiteError.constraint) {
            try raw.run("INSERT INTO aliases (domain, name, kind, owner, recipients, enabled, description, labels, created_at, updated_at, provisioner_kind, provisioner_id, revision) VALUES ('example.org', 'alice', 0, 'bob', 'x@y.example', 1, '', '', 0, 0, 'sync', 's', 1)")
        }
        #expect(throws: SQLiteError.constraint) {
            try raw.run("INSERT INTO aliases (domain, name, kind, owner, recipients, enabled, description, labels, created_at, updated_at, provisioner_kind, provisioner_id, revision) VALUES ('missing.example', 'x', 0, 'bob', 'x@y.example', 1, '', '', 0, 0, 'sync', 's', 1)")
        }
    }

    @Test("A version 1 file gains the claimed identifier column and keeps its users")
    func migrationToClaimedIdentifiers() async throws {
        let folder = try TemporaryDirectory(prefix: "aliases-sqlite")
        let path = folder.path("v1.sqlite")
        do {
            // The version 1 schema, as shipped, with a user stored before identifiers were.
            let raw = try SQLiteConnection(path: path)
            try raw.migrate(Array(SQLiteAliasStore.migrations.prefix(1)))
            try raw.run("INSERT INTO users (id, email, locale, banned) VALUES ('ana', 'ana@home.example', 'en', 0)")
            #expect(try raw.userVersion == 1)
        }
        let store = try SQLiteAliasStore(path: path)
        #expect(try await store.user(id: "ana") == User(id: "ana", email: "ana@home.example"))
        let claimed = "https://login.ubuntu.test/+id/AnaAnaA"
        _ = try await store.saveUser(User(id: "ana", email: "ana@home.example", claimedIdentifier: claimed), by: .sync("test"))
        #expect(try await store.user(claimedIdentifier: claimed)?.id == "ana")
        let raw = try SQLiteConnection(path: path)
        #expect(try raw.userVersion == 2)
        // The database itself keeps one record per identifier.
        #expect(throws: SQLiteError.constraint) {
            try raw.run("INSERT INTO users (id, email, locale, banned, claimed_identifier) VALUES ('bob', 'b@home.example', 'en', 0, ?)", [claimed])
        }
    }

    @Test("A file from a newer version, or not a database, is a typed error")
    func badFiles() throws {
        let folder = try TemporaryDirectory(prefix: "aliases-sqlite")
        let newer = folder.path("newer.sqlite")
        try SQLiteConnection(path: newer).setUserVersion(99)
        #expect(throws: AliasStoreError.storage) { _ = try SQLiteAliasStore(path: newer) }
        let garbage = folder.path("garbage.sqlite")
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: garbage))
        #expect(throws: AliasStoreError.storage) { _ = try SQLiteAliasStore(path: garbage) }
    }

    @Test("A second store on the same file sees the first one's committed changes")
    func twoStoresOneFile() async throws {
        let folder = try TemporaryDirectory(prefix: "aliases-sqlite")
        let path = folder.path("shared.sqlite")
        let first = try SQLiteAliasStore(path: path)
        let second = try SQLiteAliasStore(path: path)
        try await first.seedStandard()
        try await first.add("alice", to: ["alice@home.example"])
        #expect(await second.resolve("alice@example.org") == .recipients(["alice@home.example"]))
        try await second.add("bob", to: ["bob@home.example"])
        #expect(try await first.alias(named: "bob", domain: "example.org")?.id == 2)
        await #expect(throws: AliasStoreError.duplicateAlias) { try await first.add("bob", to: ["x@home.example"]) }
    }

    @Test("Resolution's remembered domain states give way to any commit, from this store or another")
    func domainStatesFollowCommits() async throws {
        let folder = try TemporaryDirectory(prefix: "aliases-sqlite")
        let path = folder.path("domains.sqlite")
        var one = SQLiteAliasStore.Configuration()
        one.readConnections = 1
        let first = try SQLiteAliasStore(path: path, configuration: one)
        let second = try SQLiteAliasStore(path: path, configuration: one)
        try await first.seedStandard()
        try await first.add("alice", to: ["alice@home.example", "bob@pending.test"])
        try await first.add("bob", "pending.test", to: ["bob@home.example"])
        // Remembered: example.org verified, pending.test unverified, home.example not served.
        #expect(await first.resolve("alice@example.org").rejection?.reason == .domainUnverified)
        _ = try await second.recordVerification(domain: "pending.test", verified: true, by: sync)
        #expect(await first.resolve("alice@example.org") == .recipients(["alice@home.example", "bob@home.example"]))
        _ = try await second.createDomain("home.example", plan: .free, verificationToken: nil, by: sync)
        #expect(await first.resolve("alice@example.org").rejection?.reason == .domainUnverified)
        _ = try await second.recordVerification(domain: "home.example", verified: true, by: sync)
        #expect(await first.resolve("alice@example.org").rejection?.reason == .noSuchAlias)
        // And this store's own writer's commits.
        _ = try await first.recordVerification(domain: "example.org", verified: false, by: sync)
        #expect(await first.resolve("alice@example.org").rejection?.reason == .domainUnverified)
    }

    @Test("Resolution's remembered owner bans give way to any commit, from this store or another")
    func ownerBansFollowCommits() async throws {
        let folder = try TemporaryDirectory(prefix: "aliases-sqlite")
        let path = folder.path("bans.sqlite")
        var one = SQLiteAliasStore.Configuration()
        one.readConnections = 1
        let first = try SQLiteAliasStore(path: path, configuration: one)
        let second = try SQLiteAliasStore(path: path, configuration: one)
        try await first.seedStandard()
        try await first.add("alice", to: ["alice@home.example"])
        try await first.add("carol", owner: "carol", to: ["carol@home.example"])
        // Remembered: bob and carol are not banned.
        #expect(await first.resolve("alice@example.org") == .recipients(["alice@home.example"]))
        #expect(await first.resolve("carol@example.org") == .recipients(["carol@home.example"]))
        var bob = try #require(try await second.user(id: "bob"))
        bob.banned = true
        _ = try await second.saveUser(bob, by: admin)
        #expect(await first.resolve("alice@example.org").rejection?.reason == .ownerBanned)
        #expect(await first.resolve("carol@example.org") == .recipients(["carol@home.example"]))
        // And this store's own writer's commits.
        bob.banned = false
        _ = try await first.saveUser(bob, by: admin)
        #expect(await first.resolve("alice@example.org") == .recipients(["alice@home.example"]))
    }

    @Test("An in-memory store's own commits reach resolution: a ban, then an un-verified domain")
    func inMemoryStoreSeesItsOwnCommits() async throws {
        // Reader and writer are one connection here, whose own commits `PRAGMA data_version`
        // does not count.
        let store = try SQLiteAliasStore(path: ":memory:")
        try await store.seedStandard()
        try await store.add("alice", to: ["alice@home.example"])
        #expect(await store.resolve("alice@example.org") == .recipients(["alice@home.example"]))
        var bob = try #require(try await store.user(id: "bob"))
        bob.banned = true
        _ = try await store.saveUser(bob, by: admin)
        #expect(await store.resolve("alice@example.org").rejection?.reason == .ownerBanned)
        bob.banned = false
        _ = try await store.saveUser(bob, by: admin)
        #expect(await store.resolve("alice@example.org") == .recipients(["alice@home.example"]))
        _ = try await store.recordVerification(domain: "example.org", verified: false, by: sync)
        #expect(await store.resolve("alice@example.org").rejection?.reason == .domainUnverified)
        await store.close()
    }

    @Test("An alias whose owner row is missing (foreign keys off) resolves as no such alias, exact or pattern")
    func orphanedAliasesDoNotForward() async throws {
        let folder = try TemporaryDirectory(prefix: "aliases-sqlite")
        let path = folder.path("orphans.sqlite")
        var one = SQLiteAliasStore.Configuration()
        one.readConnections = 1
        let store = try SQLiteAliasStore(path: path, configuration: one)
        try await store.seedStandard()
        try await store.add("alice", owner: "carol", to: ["alice@home.example"])
        try await store.add("/^news-.*$/", "ubuntu.test", owner: "carol", to: ["news@home.example"])
        // Remembered: carol is not banned.
        #expect(await store.resolve("alice@example.org") == .recipients(["alice@home.example"]))
        #expect(await store.resolve("news-1@ubuntu.test") == .recipients(["news@home.example"]))
        let raw = try SQLiteConnection(path: path)
        try raw.execute("PRAGMA foreign_keys = OFF")
        try raw.run("DELETE FROM users WHERE id = 'carol'")
        #expect(await store.resolve("alice@example.org").rejection?.reason == .noSuchAlias)
        #expect(await store.resolve("news-1@ubuntu.test").rejection?.reason == .noSuchAlias)
        // And when the first look-up of the owner already finds it missing.
        let fresh = try SQLiteAliasStore(path: path, configuration: one)
        #expect(await fresh.resolve("alice@example.org").rejection?.reason == .noSuchAlias)
        #expect(await fresh.resolve("alice@example.org").rejection?.reason == .noSuchAlias)
        await fresh.close()
        await store.close()
    }

    @Test("A combining mark after the @ stays in the domain: neither an address nor a recipient maps onto ours")
    func combiningMarkAfterAt() async throws {
        let folder = try TemporaryDirectory(prefix: "aliases-sqlite")
        let path = folder.path("marks.sqlite")
        let store = try SQLiteAliasStore(path: path)
        try await store.seedStandard()
        try await store.add("bob", to: ["bob@home.example"])
        try await store.add("alice", to: ["alice@home.example"])
        for mark in ["\u{301}", "\u{200D}"] {
            #expect(await store.resolve("bob@\(mark)example.org").rejection?.reason == .invalidAddress)
            // A recipient stored past the rules (the rules refuse it) is someone else's domain.
            let raw = try SQLiteConnection(path: path)
            try raw.run("UPDATE aliases SET recipients = ? WHERE name = 'alice'", ["bob@\(mark)example.org"])
            #expect(await store.resolve("alice@example.org") == .recipients(["bob@\(mark)example.org"]))
        }
        await store.close()
    }

    @Test("Storage failures keep the database's error as their cause: busy is transient, a newer file is not")
    func storageCauses() async throws {
        let folder = try TemporaryDirectory(prefix: "aliases-sqlite")
        let newer = folder.path("newer.sqlite")
        try SQLiteConnection(path: newer).setUserVersion(99)
        do {
            _ = try SQLiteAliasStore(path: newer)
            Issue.record("a file from a newer version was opened")
        } catch {
            #expect(error == .storage)
            #expect((error.cause as? SQLiteError) == .newerSchema)
            #expect(!error.isTransient)
        }

        let path = folder.path("busy.sqlite")
        var configuration = SQLiteAliasStore.Configuration()
        configuration.busyTimeout = .milliseconds(50)
        let store = try SQLiteAliasStore(path: path, configuration: configuration)
        // Another process (here: a connection outside the store) holds the write lock.
        let other = try SQLiteConnection(path: path)
        try other.execute("BEGIN IMMEDIATE")
        do {
            _ = try await store.saveUser(User(id: "ana", email: "ana@home.example"), by: .sync("test"))
            Issue.record("the change did not wait for the lock")
        } catch let error as AliasStoreError {
            #expect(error == .storage)
            #expect((error.cause as? SQLiteError) == .busy)
            #expect((error.cause as? SQLiteError)?.primaryResultCode == 5)  // SQLITE_BUSY
            #expect(error.isTransient && (error as any Error).isTransientFailure)
        }
        try other.execute("ROLLBACK")
        #expect(try await store.saveUser(User(id: "ana", email: "ana@home.example"), by: .sync("test")).id == "ana")
        // Rule refusals are not transient.
        await #expect(throws: AliasStoreError.domainNotFound) {
            try await store.setPlan(.free, forDomain: "missing.example", by: .sync("test"))
        }
        #expect(!AliasStoreError.domainNotFound.isTransient)
    }
}
