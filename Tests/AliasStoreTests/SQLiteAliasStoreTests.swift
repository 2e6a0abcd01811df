import AliasStore
import CommunityMailSQL
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
        #expect(try raw.userVersion == 1)
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
}
