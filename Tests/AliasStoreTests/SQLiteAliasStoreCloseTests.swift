import AliasStore
import CommunityMailSMTP
import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

@Suite("The SQLite alias store closes")
struct SQLiteAliasStoreCloseTests {
    @Test("After close the file can be deleted or reopened at once, and a call is a typed, permanent error")
    func close() async throws {
        let folder = try TemporaryDirectory(prefix: "aliases-close")
        let path = folder.path("aliases.sqlite")
        let store = try SQLiteAliasStore(path: path)
        _ = try await store.saveUser(User(id: "ana", email: "ana@home.example"), by: .sync("test"))
        await store.close()
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        do {
            _ = try await store.users()
            Issue.record("a read after close ran")
        } catch let error as AliasStoreError {
            #expect(error == .storage)
            #expect((error.cause as? SQLiteError) == .closed)
            #expect(!error.isTransient)
        }
        await store.close()
        // Resolution never throws: a closed store defers mail (451 4.3.0), as the docs say.
        #expect(await store.resolve("ana@example.org").rejection?.reason == .storageUnavailable)
        #expect(await store.resolve("ana@example.org").rejection?.reply.code == 451)

        let reopened = try SQLiteAliasStore(path: path)
        #expect(try await reopened.user(id: "ana")?.email == "ana@home.example")
        await reopened.close()
        try FileManager.default.removeItem(atPath: path)
        let fresh = try SQLiteAliasStore(path: path)
        #expect(try await fresh.users().isEmpty)
        await fresh.close()
    }
}
