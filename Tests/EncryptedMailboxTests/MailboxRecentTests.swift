import CommunityMailSQL
import CommunityMailSystem
import CommunityMailTestSupport
import EncryptedMailbox
import Foundation
import Testing

/// `\Recent` in the mailbox model (RFC 3501 section 2.3.2): a per-folder first unclaimed
/// UID, claimed atomically, kept in the file. The rules run on SQLite and on the fake.
@Suite("Mailbox \\Recent claims, on SQLite and on the fake")
struct MailboxRecentTests {
    @Test("A claim takes every message not claimed before, once; new messages wait for the next claim", arguments: MailboxFactory.all)
    func claimOnce(factory: MailboxFactory) async throws {
        let mailbox = try factory().mailbox
        let inbox = try await mailbox.status(of: "INBOX")
        #expect(inbox.firstRecentUID == 1 && inbox.recentCount == 0)
        for number in 1...3 { try await mailbox.append(Samples.message(subject: "m\(number)"), to: "INBOX") }
        let before = try await mailbox.status(of: "INBOX")
        #expect(before.firstRecentUID == 1 && before.recentCount == 3)
        #expect(try await mailbox.claimRecent(in: "inbox") == RecentClaim(uidValidity: inbox.uidValidity, uids: 1..<4))
        #expect(try await mailbox.claimRecent(in: "INBOX").uids.isEmpty)
        let after = try await mailbox.status(of: "INBOX")
        #expect(after.firstRecentUID == 4 && after.recentCount == 0)
        #expect(try await mailbox.folders().first { $0.name == "INBOX" }?.recentCount == 0)

        try await mailbox.append(Samples.message(subject: "m4"), to: "INBOX")
        #expect(try await mailbox.folders().first { $0.name == "INBOX" }?.recentCount == 1)
        #expect(try await mailbox.claimRecent(in: "INBOX").uids == 4..<5)
        await #expect(throws: MailboxError.folderNotFound) { try await mailbox.claimRecent(in: "Nowhere") }
    }

    @Test("STORE and EXPUNGE leave the threshold; COPY and MOVE make the new copies recent", arguments: MailboxFactory.all)
    func copiesAreRecent(factory: MailboxFactory) async throws {
        let mailbox = try factory().mailbox
        for number in 1...4 { try await mailbox.append(Samples.message(subject: "m\(number)"), to: "INBOX") }
        try await mailbox.createFolder("Work")
        _ = try await mailbox.claimRecent(in: "INBOX")
        _ = try await mailbox.claimRecent(in: "Work")
        _ = try await mailbox.store(.add(.deleted), on: UIDSet([1]), in: "INBOX")
        _ = try await mailbox.expunge("INBOX")
        #expect(try await mailbox.status(of: "INBOX").recentCount == 0)
        #expect(try await mailbox.claimRecent(in: "INBOX").uids.isEmpty)
        _ = try await mailbox.copy(UIDSet([2]), from: "INBOX", to: "Work")
        _ = try await mailbox.move(UIDSet([3]), from: "INBOX", to: "Work")
        let work = try await mailbox.status(of: "Work")
        #expect(work.recentCount == 2 && work.firstRecentUID == 1)
        #expect(try await mailbox.claimRecent(in: "Work").uids == 1..<3)
        // Moving within the folder (a copy into itself) makes the copy recent there too.
        _ = try await mailbox.copy(UIDSet([4]), from: "INBOX", to: "INBOX")
        #expect(try await mailbox.claimRecent(in: "INBOX").uids == 5..<6)
        // A renamed folder keeps its threshold; a folder made anew starts at 1.
        try await mailbox.renameFolder("Work", to: "Jobs")
        #expect(try await mailbox.status(of: "Jobs").firstRecentUID == 3)
        try await mailbox.deleteFolder("Jobs")
        let again = try await mailbox.createFolder("Jobs")
        #expect(again.firstRecentUID == 1 && again.recentCount == 0)
    }

    @Test("Claims racing appends never overlap and together cover every message", arguments: MailboxFactory.all)
    func concurrentClaims(factory: MailboxFactory) async throws {
        let mailbox = try factory().mailbox
        let claims = try await withThrowingTaskGroup(of: [Range<UInt32>].self) { group in
            group.addTask {
                for number in 1...40 { try await mailbox.append(Samples.message(subject: "m\(number)"), to: "INBOX") }
                return []
            }
            for _ in 0..<4 {
                group.addTask {
                    var mine: [Range<UInt32>] = []
                    for _ in 0..<15 {
                        let claim = try await mailbox.claimRecent(in: "INBOX")
                        if !claim.uids.isEmpty { mine.append(claim.uids) }
                        await Task.yield()
                    }
                    return mine
                }
            }
            var all: [Range<UInt32>] = []
            for try await mine in group { all += mine }
            return all
        }
        let last = try await mailbox.claimRecent(in: "INBOX").uids
        var claimed: [UInt32] = []
        for range in claims + [last] { claimed += Array(range) }
        #expect(claimed.sorted() == Array(1...40))
        #expect(Set(claimed).count == claimed.count)
    }

    @Test("The fake store's read-only handle cannot claim; the writer's can")
    func fakeReadOnlyHandle() async throws {
        let store = InMemoryMailboxStore()
        let writer = try await store.createMailbox(userID: "u1", passphrase: nil)
        try await writer.append(Samples.message(), to: "INBOX")
        let reader = try await store.openMailbox(userID: "u1", passphrase: nil, readOnly: true)
        await #expect(throws: MailboxError.readOnly) { try await reader.claimRecent(in: "INBOX") }
        #expect(try await reader.status(of: "INBOX").recentCount == 1)
        #expect(try await writer.claimRecent(in: "INBOX").uids == 1..<2)
        #expect(try await reader.status(of: "INBOX").recentCount == 0)
    }

    @Test("The threshold is in the file: closed and opened again (another process would), a claimed message is not recent again")
    func persistsAcrossReopen() async throws {
        let directory = try TemporaryDirectory(prefix: "mailbox-recent")
        var configuration = MailboxStore.Configuration()
        configuration.opener = .encrypted(kdfIterations: 1000)
        configuration.synchronous = .normal
        let store = try MailboxStore(directory: directory.url, configuration: configuration)
        let first = try await store.createMailbox(userID: "alice", passphrase: "pass")
        for number in 1...3 { try await first.append(Samples.message(subject: "m\(number)"), to: "INBOX") }
        #expect(try await first.claimRecent(in: "INBOX").uids == 1..<4)
        try await first.append(Samples.message(subject: "m4"), to: "INBOX")
        await first.close()

        let reader = try await store.openMailbox(userID: "alice", passphrase: "pass", readOnly: true)
        let seen = try await reader.status(of: "INBOX")
        #expect(seen.firstRecentUID == 4 && seen.recentCount == 1)
        await #expect(throws: MailboxError.readOnly) { try await reader.claimRecent(in: "INBOX") }
        await reader.close()

        let second = try await store.openMailbox(userID: "alice", passphrase: "pass", readOnly: false)
        #expect(try await second.claimRecent(in: "INBOX").uids == 4..<5)
        await second.close()
        let third = try await store.openMailbox(userID: "alice", passphrase: "pass", readOnly: false)
        #expect(try await third.claimRecent(in: "INBOX").uids.isEmpty)
        await third.close()
    }

    @Test("A file from before the \\Recent migration opens; its messages are not recent, new ones are")
    func oldFileMigrates() async throws {
        let directory = try TemporaryDirectory(prefix: "mailbox-recent-old")
        let path = directory.path("old.mailbox")
        var configuration = SQLiteMailbox.Configuration()
        configuration.opener = .plain
        configuration.synchronous = .normal
        let mailbox = try SQLiteMailbox(path: path, create: true, configuration: configuration)
        for number in 1...2 { try await mailbox.append(Samples.message(subject: "m\(number)"), to: "INBOX") }
        await mailbox.close()
        // Back to the schema before the column: what a file written by the earlier code holds.
        let connection = try SQLiteConnection(path: path)
        let version = try connection.userVersion
        try connection.execute("ALTER TABLE folders DROP COLUMN first_recent_uid")
        try connection.setUserVersion(version - 1)
        connection.close()

        let reopened = try SQLiteMailbox(path: path, create: false, configuration: configuration)
        let inbox = try await reopened.status(of: "INBOX")
        #expect(inbox.messageCount == 2 && inbox.firstRecentUID == 3 && inbox.recentCount == 0)
        try await reopened.append(Samples.message(subject: "m3"), to: "INBOX")
        #expect(try await reopened.claimRecent(in: "INBOX").uids == 3..<4)
        await reopened.close()
    }
}
