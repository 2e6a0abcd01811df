import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import MemberSync
import Testing

@Suite("SyncLedger in SQLite and in memory")
struct SyncLedgerTests {
    @Test("Map stamps never move backwards; the Launchpad account date is replaced")
    func rules() async throws {
        let folder = try TemporaryDirectory(prefix: "sync-ledger")
        let ledgers: [any SyncLedger] = [InMemorySyncLedger(), try SQLiteSyncLedger(path: folder.path("ledger.sqlite"))]
        for ledger in ledgers {
            #expect(try await ledger.lastSync(of: "ana") == nil)
            try await ledger.recordSync(of: "ana", mapBuiltAt: Date(timeIntervalSince1970: 200))
            try await ledger.recordSync(of: "ana", mapBuiltAt: Date(timeIntervalSince1970: 100))
            #expect(try await ledger.lastSync(of: "ana") == Date(timeIntervalSince1970: 200))
            #expect(try await ledger.launchpadAccountCreated(of: "ana") == nil)
            try await ledger.recordLaunchpadAccountCreated(Date(timeIntervalSince1970: 1_118_048_391.5), of: "ana")
            try await ledger.recordLaunchpadAccountCreated(Date(timeIntervalSince1970: 1_700_000_000), of: "ana")
            #expect(try await ledger.launchpadAccountCreated(of: "ana") == Date(timeIntervalSince1970: 1_700_000_000))
        }
    }

    @Test("The SQLite ledger survives a restart, and a version 1 file gains the account dates")
    func persistence() async throws {
        let folder = try TemporaryDirectory(prefix: "sync-ledger")
        let path = folder.path("ledger.sqlite")
        do {
            // A version 1 ledger, as shipped.
            let raw = try SQLiteConnection(path: path)
            try raw.execute("CREATE TABLE sync_ledger(user_id TEXT PRIMARY KEY NOT NULL, map_built_at REAL NOT NULL) WITHOUT ROWID")
            try raw.setUserVersion(1)
            try raw.run("INSERT INTO sync_ledger VALUES ('ana', 300)")
        }
        do {
            let ledger = try SQLiteSyncLedger(path: path)
            #expect(try await ledger.lastSync(of: "ana") == Date(timeIntervalSince1970: 300))
            try await ledger.recordLaunchpadAccountCreated(Date(timeIntervalSince1970: 1_118_048_391), of: "ana")
        }
        let reopened = try SQLiteSyncLedger(path: path)
        #expect(try await reopened.lastSync(of: "ana") == Date(timeIntervalSince1970: 300))
        #expect(try await reopened.launchpadAccountCreated(of: "ana") == Date(timeIntervalSince1970: 1_118_048_391))
        #expect(try SQLiteConnection(path: path).userVersion == 2)
    }

    @Test("A ledger or notice log file from a newer version is MemberSyncError.storage with the database's cause")
    func newerFiles() throws {
        let folder = try TemporaryDirectory(prefix: "sync-ledger")
        for name in ["ledger.sqlite", "notices.sqlite"] {
            try SQLiteConnection(path: folder.path(name)).setUserVersion(99)
        }
        let failures: [() throws -> Void] = [
            { _ = try SQLiteSyncLedger(path: folder.path("ledger.sqlite")) },
            { _ = try SQLiteNoticeLog(path: folder.path("notices.sqlite")) },
        ]
        for open in failures {
            do {
                try open()
                Issue.record("a file from a newer version was opened")
            } catch let error as MemberSyncError {
                #expect(error == .storage)
                #expect((error.cause as? SQLiteError) == .newerSchema)
                #expect(!error.isTransient)
            }
        }
    }
}
