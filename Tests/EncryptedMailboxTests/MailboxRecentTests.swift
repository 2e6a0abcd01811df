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
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let inbox = try await mailbox.status(of: "INBOX")
        #expect(inbox.firstRecentUID == 1 && inbox.recentCount == 0)
        for number in 1...3 { try await mailbox.append(Samples.message(subject: "m\(number)"), to: "INBOX") }
        let before = try await mailbox.status(of: "INBOX")
        #expect(before.firstRecentUID == 1 && before.recentCount == 3)
        #expect(try await mailbox.claimAllRecent(in: "inbox") == RecentClaim(uidValidity: inbox.uidValidity, uids: 1..<4))
        #expect(try await mailbox.claimAllRecent(in: "INBOX").uids.isEmpty)
        let after = try await mailbox.status(of: "INBOX")
        #expect(after.firstRecentUID == 4 && after.recentCount == 0)
        #expect(try await mailbox.folders().first { $0.name == "INBOX" }?.recentCount == 0)

        try await mailbox.append(Samples.message(subject: "m4"), to: "INBOX")
        #expect(try await mailbox.folders().first { $0.name == "INBOX" }?.recentCount == 1)
        #expect(try await mailbox.claimAllRecent(in: "INBOX").uids == 4..<5)
        await #expect(throws: MailboxError.folderNotFound) { try await mailbox.claimAllRecent(in: "Nowhere") }
    }

    @Test("STORE and EXPUNGE leave the threshold; COPY and MOVE make the new copies recent", arguments: MailboxFactory.all)
    func copiesAreRecent(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        for number in 1...4 { try await mailbox.append(Samples.message(subject: "m\(number)"), to: "INBOX") }
        try await mailbox.createFolder("Work")
        _ = try await mailbox.claimAllRecent(in: "INBOX")
        _ = try await mailbox.claimAllRecent(in: "Work")
        _ = try await mailbox.store(.add(.deleted), on: UIDSet([1]), in: "INBOX")
        _ = try await mailbox.expunge("INBOX")
        #expect(try await mailbox.status(of: "INBOX").recentCount == 0)
        #expect(try await mailbox.claimAllRecent(in: "INBOX").uids.isEmpty)
        _ = try await mailbox.copy(UIDSet([2]), from: "INBOX", to: "Work")
        _ = try await mailbox.move(UIDSet([3]), from: "INBOX", to: "Work")
        let work = try await mailbox.status(of: "Work")
        #expect(work.recentCount == 2 && work.firstRecentUID == 1)
        #expect(try await mailbox.claimAllRecent(in: "Work").uids == 1..<3)
        // Moving within the folder (a copy into itself) makes the copy recent there too.
        _ = try await mailbox.copy(UIDSet([4]), from: "INBOX", to: "INBOX")
        #expect(try await mailbox.claimAllRecent(in: "INBOX").uids == 5..<6)
        // A renamed folder keeps its threshold; a folder made anew starts at 1.
        try await mailbox.renameFolder("Work", to: "Jobs")
        #expect(try await mailbox.status(of: "Jobs").firstRecentUID == 3)
        try await mailbox.deleteFolder("Jobs")
        let again = try await mailbox.createFolder("Jobs")
        #expect(again.firstRecentUID == 1 && again.recentCount == 0)
    }

    @Test("Claims racing appends never overlap and together cover every message", arguments: MailboxFactory.all)
    func concurrentClaims(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let claims = try await withThrowingTaskGroup(of: [Range<UInt32>].self) { group in
            group.addTask {
                for number in 1...40 { try await mailbox.append(Samples.message(subject: "m\(number)"), to: "INBOX") }
                return []
            }
            for _ in 0..<4 {
                group.addTask {
                    var mine: [Range<UInt32>] = []
                    for _ in 0..<15 {
                        let claim = try await mailbox.claimAllRecent(in: "INBOX")
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
        let last = try await mailbox.claimAllRecent(in: "INBOX").uids
        var claimed: [UInt32] = []
        for range in claims + [last] { claimed += Array(range) }
        #expect(claimed.sorted() == Array(1...40))
        #expect(Set(claimed).count == claimed.count)
    }

    @Test("A claim with the UIDVALIDITY of a folder since deleted and made again claims nothing and leaves the threshold", arguments: MailboxFactory.all)
    func staleUIDValidity(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let old = try await mailbox.createFolder("Work")
        for number in 1...2 { try await mailbox.append(Samples.message(subject: "old\(number)"), to: "Work") }
        try await mailbox.deleteFolder("Work")
        let new = try await mailbox.createFolder("Work")
        #expect(new.uidValidity != old.uidValidity)
        for number in 1...3 { try await mailbox.append(Samples.message(subject: "new\(number)"), to: "Work") }
        let stale = try await mailbox.claimRecent(in: "Work", uidValidity: old.uidValidity, below: .max)
        #expect(stale.uids.isEmpty && stale.uidValidity == new.uidValidity)
        let work = try await mailbox.status(of: "Work")
        #expect(work.firstRecentUID == 1 && work.recentCount == 3)
        // The session that selected the new folder gets them all.
        #expect(try await mailbox.claimRecent(in: "Work", uidValidity: new.uidValidity, below: .max) == RecentClaim(uidValidity: new.uidValidity, uids: 1..<4))
    }

    @Test("A claim stops at its bound: the messages above it stay for the next claimer; the threshold never goes down", arguments: MailboxFactory.all)
    func boundedClaim(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        let inbox = try await mailbox.status(of: "INBOX")
        for number in 1...5 { try await mailbox.append(Samples.message(subject: "m\(number)"), to: "INBOX") }
        #expect(try await mailbox.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity, below: 3).uids == 1..<3)
        var status = try await mailbox.status(of: "INBOX")
        #expect(status.firstRecentUID == 3 && status.recentCount == 3)
        // A bound at or below the threshold: nothing, and the threshold stays.
        #expect(try await mailbox.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity, below: 2).uids.isEmpty)
        #expect(try await mailbox.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity, below: 3).uids.isEmpty)
        #expect(try await mailbox.status(of: "INBOX").firstRecentUID == 3)
        // A bound past UIDNEXT stops at UIDNEXT.
        #expect(try await mailbox.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity, below: 100).uids == 3..<6)
        status = try await mailbox.status(of: "INBOX")
        #expect(status.firstRecentUID == 6 && status.recentCount == 0)
        try await mailbox.append(Samples.message(subject: "m6"), to: "INBOX")
        #expect(try await mailbox.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity, below: 7).uids == 6..<7)
    }

    @Test("Called on the concrete types (not through `any Mailbox`), the claim is theirs, not the protocol's default")
    func concreteTypesClaim() async throws {
        let fake = InMemoryMailbox()
        try await fake.append(Samples.message(), to: "INBOX")
        let fakeInbox = try await fake.status(of: "INBOX")
        #expect(try await fake.claimRecent(in: "INBOX", uidValidity: fakeInbox.uidValidity, below: .max).uids == 1..<2)
        let directory = try TemporaryDirectory(prefix: "mailbox-recent-concrete")
        var configuration = MailboxStore.Configuration()
        configuration.opener = .plain
        configuration.synchronous = .normal
        let sqlite = try MailboxStore(directory: directory.url, configuration: configuration).create(userID: "alice")
        try await sqlite.append(Samples.message(), to: "INBOX")
        let inbox = try await sqlite.status(of: "INBOX")
        #expect(try await sqlite.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity, below: .max).uids == 1..<2)
        await sqlite.close()
    }

    @Test("A claim with nothing to take changes nothing: same MODSEQ and threshold", arguments: MailboxFactory.all)
    func emptyClaimChangesNothing(factory: MailboxFactory) async throws {
        let made = try factory()
        defer { withExtendedLifetime(made) {} }  // its folder lives as long as the test: readers open late
        let mailbox = made.mailbox
        for number in 1...2 { try await mailbox.append(Samples.message(subject: "m\(number)"), to: "INBOX") }
        let inbox = try await mailbox.status(of: "INBOX")
        _ = try await mailbox.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity, below: .max)
        let before = try await mailbox.status(of: "INBOX")
        let usage = try await mailbox.usage()
        for bound: UInt32 in [1, 3, .max] {
            #expect(try await mailbox.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity, below: bound).uids.isEmpty)
        }
        #expect(try await mailbox.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity &+ 1, below: .max).uids.isEmpty)
        #expect(try await mailbox.status(of: "INBOX") == before)
        #expect(try await mailbox.usage() == usage)
    }

    @Test("On a read-only mailbox (SQLite file, fake handle), a claim with nothing to take makes no write: an empty claim, not readOnly")
    func emptyClaimMakesNoWrite() async throws {
        let directory = try TemporaryDirectory(prefix: "mailbox-recent-nowrite")
        var configuration = MailboxStore.Configuration()
        configuration.opener = .plain
        configuration.synchronous = .normal
        let store = try MailboxStore(directory: directory.url, configuration: configuration)
        let writer = try await store.createMailbox(userID: "alice", passphrase: nil)
        let fakeStore = InMemoryMailboxStore()
        let fakeWriter = try await fakeStore.createMailbox(userID: "u1", passphrase: nil)
        for (writer, reader) in [
            (writer as any Mailbox, try await store.openMailbox(userID: "alice", passphrase: nil, readOnly: true) as any Mailbox),
            (fakeWriter, try await fakeStore.openMailbox(userID: "u1", passphrase: nil, readOnly: true)),
        ] {
            try await writer.append(Samples.message(), to: "INBOX")
            let inbox = try await writer.status(of: "INBOX")
            await #expect(throws: MailboxError.readOnly) { try await reader.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity, below: .max) }
            // Below the unclaimed message, or for another folder's UIDVALIDITY: nothing to write.
            #expect(try await reader.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity, below: 1).uids.isEmpty)
            #expect(try await reader.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity &+ 1, below: .max).uids.isEmpty)
            #expect(try await writer.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity, below: .max).uids == 1..<2)
            #expect(try await reader.claimRecent(in: "INBOX", uidValidity: inbox.uidValidity, below: .max).uids.isEmpty)
            await reader.close()
            await writer.close()
        }
    }

    @Test("The fake store's read-only handle cannot claim; the writer's can")
    func fakeReadOnlyHandle() async throws {
        let store = InMemoryMailboxStore()
        let writer = try await store.createMailbox(userID: "u1", passphrase: nil)
        try await writer.append(Samples.message(), to: "INBOX")
        let reader = try await store.openMailbox(userID: "u1", passphrase: nil, readOnly: true)
        await #expect(throws: MailboxError.readOnly) { try await reader.claimAllRecent(in: "INBOX") }
        #expect(try await reader.status(of: "INBOX").recentCount == 1)
        #expect(try await writer.claimAllRecent(in: "INBOX").uids == 1..<2)
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
        #expect(try await first.claimAllRecent(in: "INBOX").uids == 1..<4)
        try await first.append(Samples.message(subject: "m4"), to: "INBOX")
        await first.close()

        let reader = try await store.openMailbox(userID: "alice", passphrase: "pass", readOnly: true)
        let seen = try await reader.status(of: "INBOX")
        #expect(seen.firstRecentUID == 4 && seen.recentCount == 1)
        await #expect(throws: MailboxError.readOnly) { try await reader.claimAllRecent(in: "INBOX") }
        await reader.close()

        let second = try await store.openMailbox(userID: "alice", passphrase: "pass", readOnly: false)
        #expect(try await second.claimAllRecent(in: "INBOX").uids == 4..<5)
        await second.close()
        let third = try await store.openMailbox(userID: "alice", passphrase: "pass", readOnly: false)
        #expect(try await third.claimAllRecent(in: "INBOX").uids.isEmpty)
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
        // Back to the schema before the column (version 3, so without the later folder
        // counters either): what a file written by the earlier code holds.
        let connection = try SQLiteConnection(path: path)
        try connection.execute(MailboxSchemaRollback.folderCounters + MailboxSchemaRollback.firstRecentUID)
        try connection.setUserVersion(3)
        connection.close()

        let reopened = try SQLiteMailbox(path: path, create: false, configuration: configuration)
        let inbox = try await reopened.status(of: "INBOX")
        #expect(inbox.messageCount == 2 && inbox.firstRecentUID == 3 && inbox.recentCount == 0)
        try await reopened.append(Samples.message(subject: "m3"), to: "INBOX")
        #expect(try await reopened.claimAllRecent(in: "INBOX").uids == 3..<4)
        await reopened.close()
    }
}
