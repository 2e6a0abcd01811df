import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MemberSync
import Testing

@Suite("MemberSync's SQLite files close")
struct SQLiteStoreCloseTests {
    @Test("The sync ledger: after close the file can be deleted or reopened at once, and a call is a typed error")
    func ledger() async throws {
        let folder = try TemporaryDirectory(prefix: "ledger-close")
        let path = folder.path("ledger.sqlite")
        let ledger = try SQLiteSyncLedger(path: path)
        try await ledger.recordSync(of: "ana", mapBuiltAt: Date(timeIntervalSince1970: 200))
        await ledger.close()
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        do {
            _ = try await ledger.lastSync(of: "ana")
            Issue.record("a read after close ran")
        } catch let error as MemberSyncError {
            #expect(error == .storage)
            #expect((error.cause as? SQLiteError) == .closed)
            #expect(!error.isTransient)
        }
        let reopened = try SQLiteSyncLedger(path: path)
        #expect(try await reopened.lastSync(of: "ana") == Date(timeIntervalSince1970: 200))
        await reopened.close()
        try FileManager.default.removeItem(atPath: path)
        let fresh = try SQLiteSyncLedger(path: path)
        #expect(try await fresh.lastSync(of: "ana") == nil)
        await fresh.close()
    }

    @Test("The notice log: after close the file can be deleted or reopened at once, and a call is a typed error")
    func noticeLog() async throws {
        let folder = try TemporaryDirectory(prefix: "notices-close")
        let path = folder.path("notices.sqlite")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let log = try SQLiteNoticeLog(path: path)
        #expect(try await log.claim("welcome:ana", now: now, window: 3600))
        await log.close()
        do {
            _ = try await log.claim("welcome:bob", now: now, window: 3600)
            Issue.record("a claim after close ran")
        } catch let error as MemberSyncError {
            #expect(error == .storage)
            #expect((error.cause as? SQLiteError) == .closed)
            #expect(!error.isTransient)
        }
        let reopened = try SQLiteNoticeLog(path: path)
        #expect(try await reopened.claim("welcome:ana", now: now, window: 3600) == false)
        await reopened.close()
        try FileManager.default.removeItem(atPath: path)
        let fresh = try SQLiteNoticeLog(path: path)
        #expect(try await fresh.claim("welcome:ana", now: now, window: 3600))
        await fresh.close()
    }
}
