import CommunityMailTestSupport
@testable import EncryptedSQLite
import Foundation
import Synchronization
import Testing

/// A hot journal can change between the check and SQLite's playback (someone who can write
/// `<file>-journal` races the opening connection). Every read SQLite makes is held to what
/// the check verified; these tests change the file at the moments the VFS reports.
@Suite(.serialized)
struct JournalRaceTests {
    typealias Journal = JournalTamperTests

    /// Runs `body` with `change` told of the hot-journal events of `path`'s journal only
    /// (other suites open databases at the same time).
    @discardableResult
    static func observing<T>(
        _ path: String, _ change: @escaping @Sendable (EncryptedFile.JournalEvent, FileHandle) -> Void, _ body: () async throws -> T
    ) async rethrows -> T {
        let suffix = "/" + URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent + "/mailbox.db-journal"
        EncryptedFile.journalObserver.withLock {
            $0 = { event in
                let journalPath: String
                switch event {
                case .checked(let path), .read(let path, _, _): journalPath = path
                }
                guard journalPath.hasSuffix(suffix), let handle = FileHandle(forUpdatingAtPath: journalPath) else { return }
                change(event, handle)
                try? handle.close()
            }
        }
        defer { EncryptedFile.journalObserver.withLock { $0 = nil } }
        return try await body()
    }

    static func overwrite(_ handle: FileHandle, at offset: UInt64, with bytes: [UInt8]) {
        try? handle.seek(toOffset: offset)
        try? handle.write(contentsOf: Data(bytes))
        try? handle.synchronize()
    }

    /// (a) A super-journal pointer appended after the check: SQLite reads the pointer again at
    /// the end of playback and deletes the file it names.
    @Test func superJournalPointerAppendedAfterTheCheckIsRefused() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Journal.makeDatabase(in: folder, writeAheadLog: false)
        let victim = folder.path("precious.txt")
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        let name = Array(victim.utf8)
        let trailer = Journal.bigEndian(UInt32(0x4000_0000 / Journal.pageSize + 1)) + name + Journal.bigEndian(UInt32(name.count))
            + Journal.bigEndian(name.reduce(UInt32(0)) { $0 &+ UInt32($1) }) + Journal.magic
        try Journal.write(Journal.journal(records: [], originalPageCount: try Journal.pageCount(path)), to: path + "-journal")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        await Self.observing(path, { event, handle in
            guard case .checked = event else { return }
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: Data(trailer))
        }) {
            #expect { try Journal.open(path, writeAheadLog: false) } throws: { ($0 as? EncryptedSQLiteError) == .tamperedJournal }
        }
        #expect(FileManager.default.fileExists(atPath: victim), "the file a late super-journal pointer names must stay")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    /// (b) The header's original size rewritten after the check: SQLite would truncate the
    /// database to one page.
    @Test func headerRewrittenAfterTheCheckIsRefused() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Journal.makeDatabase(in: folder, writeAheadLog: false)
        try Journal.write(Journal.journal(records: [], originalPageCount: try Journal.pageCount(path)), to: path + "-journal")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        await Self.observing(path, { event, handle in
            guard case .checked = event else { return }
            Self.overwrite(handle, at: 16, with: Journal.bigEndian(1))
        }) {
            #expect { try Journal.open(path, writeAheadLog: false) } throws: { ($0 as? EncryptedSQLiteError) == .tamperedJournal }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "no page of the database may change")
    }

    /// (c) A record's page number swapped between SQLite's read of it and its read of the
    /// page: an authentic page sealed for page 3 must not be applied as page 2.
    @Test func pageNumberSwappedAfterItWasReadIsRefused() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Journal.makeDatabase(in: folder, writeAheadLog: false)
        let pages = try Journal.pageCount(path)
        let swappedFor = pages + 1  // past the original size: the check lets SQLite skip it
        let plaintext = Journal.leafPage(holding: "SWAPPED")
        let sealed = try Self.seal(plaintext, pageNumber: swappedFor, databasePath: path)
        let seed: UInt32 = 0x5eed_1234
        var journal = Journal.journal(records: [], originalPageCount: pages, recordCount: 1)
        journal += Journal.bigEndian(swappedFor) + sealed + Journal.bigEndian(Journal.checksum(plaintext, seed: seed))
        try Journal.write(journal, to: path + "-journal")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        await Self.observing(path, { event, handle in
            switch event {
            case .checked:
                Self.overwrite(handle, at: 512, with: Journal.bigEndian(2))  // SQLite reads page number 2 ...
            case .read(_, 512, 4):
                Self.overwrite(handle, at: 512, with: Journal.bigEndian(swappedFor))  // ... the file says 3 again
            default:
                break
            }
        }) {
            #expect {
                try Journal.open(path, writeAheadLog: false)
            } throws: { error in
                (error as? EncryptedSQLiteError) == .tamperedJournal
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "no page of the database may change")
    }

    /// `plaintext` sealed for `pageNumber` with the database's key: an authentic journal page,
    /// as an older transaction could have left.
    static func seal(_ plaintext: [UInt8], pageNumber: UInt32, databasePath: String) throws -> [UInt8] {
        let salt = Array(try Data(contentsOf: URL(fileURLWithPath: databasePath)).prefix(16))
        let master = try EncryptionKey.passphrase(Fixture.passphrase).masterKey(salt: salt, iterations: 1000)
        let cipher = try PageCipher(key: master, legacy: false)
        var page = [UInt8](repeating: 0, count: plaintext.count)
        try page.withUnsafeMutableBytes { stored in
            try plaintext.withUnsafeBytes { plain in
                try salt.withUnsafeBytes { try cipher.encrypt(plain, into: stored, pageNumber: pageNumber, salt: $0) }
            }
        }
        return page
    }
}
