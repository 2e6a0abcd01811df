import CommunityMailTestSupport
import EncryptedSQLite
import Foundation
import Testing

/// A rollback journal beside the database is played back only when SQLite would use nothing
/// in it that fails authentication: someone who can write `<file>-journal` but has no key
/// cannot change the database through it (SQLite's own record checksum is no defence, anyone
/// can compute it).
struct JournalTamperTests {
    static let pageSize = 4096
    static let magic: [UInt8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]

    /// A closed database whose table `t` (root page 2, a leaf) holds the one row 'genuine'.
    static func makeDatabase(in folder: TemporaryDirectory, writeAheadLog: Bool) async throws -> String {
        let path = folder.path("mailbox.db")
        let database = try EncryptedDatabase(
            path: path, configuration: try Fixture.configuration(writeAheadLog: writeAheadLog, kdfIterations: 1000))
        try await database.execute("CREATE TABLE t(x TEXT)")
        try await database.run("INSERT INTO t VALUES ('genuine')")
        await database.close()
        return path
    }

    static func open(_ path: String, writeAheadLog: Bool) throws -> EncryptedDatabase {
        try EncryptedDatabase(
            path: path, configuration: try Fixture.configuration(writeAheadLog: writeAheadLog, kdfIterations: 1000, create: false))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    /// SQLite's journal record checksum (pager.c `pager_cksum`): the header's seed plus every
    /// 200th byte of the page, counting from the end.
    static func checksum(_ page: [UInt8], seed: UInt32) -> UInt32 {
        var sum = seed
        var index = page.count - 200
        while index > 0 {
            sum &+= UInt32(page[index])
            index -= 200
        }
        return sum
    }

    /// A plaintext table leaf page holding the one row (rowid 1) `text`, as SQLite lays it
    /// out with 32 reserved bytes: what someone without the key can write.
    static func leafPage(holding text: String, pageSize: Int = pageSize) -> [UInt8] {
        let body = Array(text.utf8)
        let record: [UInt8] = [2, UInt8(13 + 2 * body.count)] + body
        let cell: [UInt8] = [UInt8(record.count), 1] + record
        let usable = pageSize - 32
        let start = usable - cell.count
        var page = [UInt8](repeating: 0, count: pageSize)
        page[0] = 0x0d
        page[4] = 1
        page[5] = UInt8(start >> 8)
        page[6] = UInt8(start & 0xff)
        page[8] = UInt8(start >> 8)
        page[9] = UInt8(start & 0xff)
        page.replaceSubrange(start..<usable, with: cell)
        return page
    }

    /// A journal of one header (512-byte sector) and `records`, each with the checksum
    /// SQLite computes, plus `trailer`.
    static func journal(
        records: [(pageNumber: UInt32, page: [UInt8])], pageSize: Int = pageSize, originalPageCount: UInt32,
        recordCount: UInt32? = nil, trailer: [UInt8] = []
    ) -> [UInt8] {
        let seed: UInt32 = 0x5eed_1234
        var bytes = magic + bigEndian(recordCount ?? UInt32(records.count)) + bigEndian(seed) + bigEndian(originalPageCount)
            + bigEndian(512) + bigEndian(UInt32(pageSize))
        bytes += [UInt8](repeating: 0, count: 512 - bytes.count)
        for record in records {
            bytes += bigEndian(record.pageNumber) + record.page + bigEndian(checksum(record.page, seed: seed))
        }
        return bytes + trailer
    }

    static func pageCount(_ path: String) throws -> UInt32 {
        UInt32(try Data(contentsOf: URL(fileURLWithPath: path)).count / pageSize)
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Opening refuses the journal with `.tamperedJournal`, and leaves the database and the
    /// journal exactly as they were; once the journal is removed, the genuine row is there.
    static func expectRefused(_ path: String, writeAheadLog: Bool, pageNumber: UInt32? = nil) async throws {
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let journal = try Data(contentsOf: URL(fileURLWithPath: path + "-journal"))
        #expect {
            try Self.open(path, writeAheadLog: writeAheadLog)
        } throws: { error in
            let error = error as? EncryptedSQLiteError
            return error == .tamperedJournal && (pageNumber == nil || error?.pageNumber == pageNumber)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "no page of the database may change")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + "-journal")) == journal, "the journal stays for inspection")
        try FileManager.default.removeItem(atPath: path + "-journal")
        let database = try Self.open(path, writeAheadLog: writeAheadLog)
        #expect(try await database.query("SELECT x FROM t").map(\.values) == [[.text("genuine")]])
        #expect(try await database.integrityCheck() == ["ok"])
        await database.close()
    }

    @Test(arguments: [false, true])
    func forgedRecordWithValidChecksumIsRefused(writeAheadLog: Bool) async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder, writeAheadLog: writeAheadLog)
        let forged = Self.journal(records: [(2, Self.leafPage(holding: "FORGED"))], originalPageCount: try Self.pageCount(path))
        try Self.write(forged, to: path + "-journal")
        try await Self.expectRefused(path, writeAheadLog: writeAheadLog, pageNumber: 2)
    }

    /// A plaintext page 1 with an empty schema (every table gone), as SQLite lays it out.
    static func emptyPageOne(pageSize: Int) -> [UInt8] {
        var page = [UInt8](repeating: 0, count: pageSize)
        page.replaceSubrange(0..<16, with: Array("SQLite format 3\u{0}".utf8))
        let sizeField = pageSize == 65536 ? 1 : pageSize
        page.replaceSubrange(16..<24, with: [UInt8(sizeField >> 8), UInt8(sizeField & 0xff), 1, 1, 32, 64, 32, 32])
        page[100] = 0x0d
        page[105] = UInt8((pageSize - 32) >> 8)
        page[106] = UInt8((pageSize - 32) & 0xff)
        return page
    }

    @Test func forgedPageOneIsRefused() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder, writeAheadLog: false)
        let forged = Self.journal(records: [(1, Self.emptyPageOne(pageSize: Self.pageSize))], originalPageCount: try Self.pageCount(path))
        try Self.write(forged, to: path + "-journal")
        try await Self.expectRefused(path, writeAheadLog: false, pageNumber: 1)
    }

    /// SQLite truncates (or extends) the database to the header's original size before it
    /// reads any record: a journal of one header and no records must not change the file.
    @Test(arguments: [UInt32(1), 1000, 0])
    func headerOnlyJournalChangingTheSizeIsRefused(sizeChange: UInt32) async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder, writeAheadLog: false)
        let pages = try Self.pageCount(path)
        let originalPageCount = sizeChange == 1000 ? pages + 1000 : sizeChange
        try Self.write(Self.journal(records: [], originalPageCount: originalPageCount), to: path + "-journal")
        try await Self.expectRefused(path, writeAheadLog: false)
    }

    /// SQLite skips a record for a page past the original size (and writes nothing of it):
    /// such a record need not authenticate, and the journal is played back as SQLite would.
    @Test func recordPastTheOriginalSizeIsSkippedUnchecked() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder, writeAheadLog: false)
        let pages = try Self.pageCount(path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var random = SplitMix64(seed: 5)
        try Self.write(Self.journal(records: [(pages + 3, random.bytes(Self.pageSize))], originalPageCount: pages), to: path + "-journal")
        let database = try Self.open(path, writeAheadLog: false)
        #expect(try await database.query("SELECT x FROM t").map(\.values) == [[.text("genuine")]])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        await database.close()
    }

    /// SQLite reads on at the next sector after a segment's records: a forged record in a
    /// second header's segment is refused like one in the first.
    @Test func forgedRecordInSecondSegmentIsRefused() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder, writeAheadLog: false)
        let pages = try Self.pageCount(path)
        let first = Self.journal(records: [], originalPageCount: pages, recordCount: 0)
        let second = Self.journal(records: [(2, Self.leafPage(holding: "FORGED"))], originalPageCount: pages)
        try Self.write(first + second, to: path + "-journal")
        try await Self.expectRefused(path, writeAheadLog: false, pageNumber: 2)
    }

    /// A journal written without syncs (record count 0xffffffff: every record to the end of
    /// the file) with a forged record.
    @Test func forgedRecordInUnsyncedJournalIsRefused() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder, writeAheadLog: false)
        let forged = Self.journal(
            records: [(2, Self.leafPage(holding: "FORGED"))], originalPageCount: try Self.pageCount(path), recordCount: 0xffff_ffff)
        try Self.write(forged, to: path + "-journal")
        try await Self.expectRefused(path, writeAheadLog: false, pageNumber: 2)
    }

    /// The header's page size is in clear: records of another size are no pages of this
    /// database, and must not be written into it.
    @Test func forgedPageSizeIsRefused() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder, writeAheadLog: false)
        let smallPage = 512
        let forged = Self.journal(
            records: [(1, Self.emptyPageOne(pageSize: smallPage))], pageSize: smallPage,
            originalPageCount: try Self.pageCount(path) * UInt32(Self.pageSize / smallPage))
        try Self.write(forged, to: path + "-journal")
        try await Self.expectRefused(path, writeAheadLog: false)
    }

    /// A super-journal pointer makes SQLite read, then delete, the file it names.
    @Test func superJournalPointerIsRefused() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder, writeAheadLog: false)
        let victim = folder.path("precious.txt")
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        let name = Array(victim.utf8)
        let nameSum = name.reduce(UInt32(0)) { $0 &+ UInt32($1) }
        let trailer = Self.bigEndian(UInt32(0x4000_0000 / Self.pageSize + 1)) + name + Self.bigEndian(UInt32(name.count))
            + Self.bigEndian(nameSum) + Self.magic
        let forged = Self.journal(records: [], originalPageCount: try Self.pageCount(path), trailer: trailer)
        try Self.write(forged, to: path + "-journal")
        try await Self.expectRefused(path, writeAheadLog: false)
        #expect(FileManager.default.fileExists(atPath: victim))
    }

    @Test func validHeaderWithRandomRecordsIsRefused() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder, writeAheadLog: false)
        var random = SplitMix64(seed: 7)
        let records = (0..<3).map { _ in (UInt32(2), random.bytes(Self.pageSize)) }
        try Self.write(Self.journal(records: records, originalPageCount: try Self.pageCount(path)), to: path + "-journal")
        try await Self.expectRefused(path, writeAheadLog: false, pageNumber: 2)
    }

    /// A header that claims every record to the end of the file (no-sync journals) but a
    /// sector larger than the file: nothing to check, nothing to play back.
    @Test func headerLargerThanTheFileChangesNothing() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder, writeAheadLog: false)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var header = Self.magic + Self.bigEndian(0xffff_ffff) + Self.bigEndian(1) + Self.bigEndian(try Self.pageCount(path))
            + Self.bigEndian(65536) + Self.bigEndian(UInt32(Self.pageSize))
        header += [UInt8](repeating: 0, count: 1000 - header.count)
        try Self.write(header, to: path + "-journal")
        let database = try Self.open(path, writeAheadLog: false)
        #expect(try await database.query("SELECT x FROM t").map(\.values) == [[.text("genuine")]])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        await database.close()
    }

    /// Mutated journals (header fields, record counts, sizes, trailers, random bytes) never
    /// crash the check and never bring the forged row in: the open either succeeds without
    /// it or fails with `.tamperedJournal`.
    @Test func mutatedJournalsAreRefusedOrHarmless() async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder, writeAheadLog: false)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let pages = try Self.pageCount(path)
        let forgedLeaf = Self.leafPage(holding: "FORGED")
        var mutator = ByteMutator(seeds: [
            Self.journal(records: [(2, forgedLeaf)], originalPageCount: pages),
            Self.journal(records: [(2, forgedLeaf), (1, Self.emptyPageOne(pageSize: Self.pageSize))], originalPageCount: pages,
                         recordCount: 0xffff_ffff),
            Self.journal(records: [(2, forgedLeaf)], pageSize: Self.pageSize, originalPageCount: pages,
                         trailer: Self.bigEndian(1) + Array("x".utf8) + Self.bigEndian(1) + Self.bigEndian(120) + Self.magic),
        ], seed: 2026)
        for _ in 0..<150 {
            var journal = mutator.next()
            if !journal.isEmpty && journal[0] == 0 { journal[0] = 0xd9 }
            try Self.write(journal, to: path + "-journal")
            do {
                let database = try Self.open(path, writeAheadLog: false)
                let rows = try await database.query("SELECT x FROM t")
                #expect(!rows.contains { $0.values == [.text("FORGED")] })
                await database.close()
            } catch let error as EncryptedSQLiteError {
                #expect(error == .tamperedJournal, "\(error)")
            }
            // Refused or harmless, no page of the file changes (no record is authentic).
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original, "journal \(journal.prefix(32))")
            try original.write(to: URL(fileURLWithPath: path))
            try? FileManager.default.removeItem(atPath: path + "-journal")
        }
    }

    /// Random bytes are no journal to SQLite (no magic): it is discarded, nothing changes.
    /// A pin only: SQLite itself ignores a journal without the magic, so this passed before
    /// the journal check existed too.
    @Test(arguments: [false, true])
    func randomBytesChangeNothing(writeAheadLog: Bool) async throws {
        let folder = try TemporaryDirectory()
        let path = try await Self.makeDatabase(in: folder, writeAheadLog: writeAheadLog)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var random = SplitMix64(seed: 11)
        var junk = random.bytes(3 * Self.pageSize + 777)
        junk[0] = 0x5a  // a first byte of zero would not even look hot
        try Self.write(junk, to: path + "-journal")
        let database = try Self.open(path, writeAheadLog: writeAheadLog)
        #expect(try await database.query("SELECT x FROM t").map(\.values) == [[.text("genuine")]])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        await database.close()
    }

    /// The check leaves genuine hot journals alone: a writer killed mid-transaction (its
    /// page cache spilled, so the database file already holds changed pages) is rolled back.
    @Test func genuineHotJournalIsRolledBack() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        let before = try await Fixture.leaveHotJournal(
            at: path, messages: 2000, changes: ["UPDATE message SET subject = 'overwritten ' || id, body = randomblob(150)"])
        let reopened = try EncryptedDatabase(path: path, configuration: try Fixture.configuration(writeAheadLog: false, create: false))
        #expect(try await reopened.integrityCheck() == ["ok"])
        #expect(try await Fixture.digests(reopened) == before)
        await reopened.close()
    }
}
