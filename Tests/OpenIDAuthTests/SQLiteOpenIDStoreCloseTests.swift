import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import OpenIDAuth
import Testing

@Suite("The SQLite OpenID store closes")
struct SQLiteOpenIDStoreCloseTests {
    @Test("After close the file can be deleted or reopened at once, and a call is a typed, permanent error")
    func close() async throws {
        let folder = try TemporaryDirectory(prefix: "openid-close")
        let path = folder.path("openid.sqlite")
        let expiry = Date(timeIntervalSince1970: 1_800_000_300)
        let store = try SQLiteOpenIDStore(path: path)
        #expect(try await store.consume(nonce: "n1", endpoint: "https://op.example/", expiresAt: expiry))
        await store.close()
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        do {
            _ = try await store.consume(nonce: "n2", endpoint: "https://op.example/", expiresAt: expiry)
            Issue.record("a call after close ran")
        } catch {
            #expect(error == .store)
            #expect((error.cause as? SQLiteError) == .closed)
            #expect(!error.isTransient)
        }

        let reopened = try SQLiteOpenIDStore(path: path)
        // The nonce recorded before the close is still there: a replay stays refused.
        #expect(try await reopened.consume(nonce: "n1", endpoint: "https://op.example/", expiresAt: expiry) == false)
        await reopened.close()
        try FileManager.default.removeItem(atPath: path)
        let fresh = try SQLiteOpenIDStore(path: path)
        #expect(try await fresh.consume(nonce: "n1", endpoint: "https://op.example/", expiresAt: expiry))
        await fresh.close()
    }
}
