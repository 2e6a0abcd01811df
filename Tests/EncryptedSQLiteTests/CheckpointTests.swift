import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

@testable import EncryptedSQLite

/// Checkpoints copy WAL frames into the database file as ciphertext (CheckpointHandoff),
/// and still refuse frames that fail their tag.
struct CheckpointTests {
    static let pageSize = 4096

    static func openWAL(_ path: String, legacy: Bool = false) throws -> EncryptedDatabase {
        try EncryptedDatabase(path: path, configuration: try Fixture.configuration(legacy: legacy, kdfIterations: 1000))
    }

    /// Legacy mode encrypts page 1 whole, header included, so the copy must not look inside.
    @Test(arguments: [false, true])
    func checkpointCopiesFramesAsCiphertextAndTheFileStaysSound(legacy: Bool) async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        let database = try Self.openWAL(path, legacy: legacy)
        try await database.execute("PRAGMA wal_autocheckpoint = 0")
        try await Fixture.fillSample(database, messages: 2000)
        let before = try await Fixture.digests(database)
        #expect(await database.pagesCheckpointedAsCiphertext == 0)
        try await database.checkpoint()
        let pages = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0) / Self.pageSize
        // Every page the transaction wrote went through the WAL, and the checkpoint
        // handed each one over without decrypting it.
        #expect(await database.pagesCheckpointedAsCiphertext >= pages - 1)
        await database.close()

        let reopened = try Self.openWAL(path, legacy: legacy)
        #expect(try await reopened.integrityCheck() == ["ok"])
        #expect(try await Fixture.digests(reopened) == before)
        await reopened.close()
    }

    @Test func aTamperedFrameFailsTheCheckpointAndNamesThePage() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        let database = try Self.openWAL(path)
        try await database.execute("PRAGMA wal_autocheckpoint = 0")
        try await database.execute("CREATE TABLE note(id INTEGER PRIMARY KEY, body BLOB)")
        try await database.run("INSERT INTO note VALUES (1, zeroblob(20000))")

        // Flip a byte in the page body of the WAL's last frame.
        let wal = try FileHandle(forUpdating: URL(fileURLWithPath: path + "-wal"))
        let size = try wal.seekToEnd()
        let frameSize = UInt64(24 + Self.pageSize)
        let frames = (size - 32) / frameSize
        let frameStart = 32 + (frames - 1) * frameSize
        try wal.seek(toOffset: frameStart)
        let header = try #require(try wal.read(upToCount: 24))
        let pageNumber = header.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        try wal.seek(toOffset: frameStart + 24 + 100)
        let byte = try #require(try wal.read(upToCount: 1)).first!
        try wal.seek(toOffset: frameStart + 24 + 100)
        try wal.write(contentsOf: Data([byte ^ 0x5a]))
        try wal.seek(toOffset: frameStart + 24)
        let tampered = try #require(try wal.read(upToCount: Self.pageSize))
        try wal.close()

        do {
            try await database.checkpoint()
            Issue.record("a checkpoint copied a frame that fails its tag")
        } catch {
            #expect(error == .tamperedPage)
            #expect(error.pageNumber == pageNumber)
        }
        // The bracket closed with the failed checkpoint: reads decrypt again (page 1, the
        // schema, comes from the WAL too).
        #expect(try await database.query("SELECT name FROM sqlite_schema").map { $0[0].textValue } == ["note"])
        // The frames before it may have been copied; the tampered one never was.
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        let start = Int(pageNumber - 1) * Self.pageSize
        if file.count >= start + Self.pageSize {
            #expect(file[start..<(start + Self.pageSize)] != tampered)
        }
        await database.close()
    }
}

/// The handoff itself: only the checkpoint's own thread, inside the bracket, for the same
/// salt and the very page offered.
struct CheckpointHandoffTests {
    static let salt = [UInt8](repeating: 7, count: 16)

    static func page(reserveByte: UInt8) -> [UInt8] {
        var page = [UInt8](repeating: 1, count: 4096)
        for index in (4096 - PageCipher.reserveBytes)..<4096 { page[index] = reserveByte }
        return page
    }

    @Test func nothingIsHandedOverOutsideTheBracket() {
        let handoff = CheckpointHandoff()
        #expect(!handoff.isCopyingFrames(salt: Self.salt))
        let page = Self.page(reserveByte: 9)
        page.withUnsafeBytes { handoff.offer(pageNumber: 3, page: $0) }
        #expect(page.withUnsafeBytes { handoff.take(pageNumber: 3, page: $0) } == .notOffered)
    }

    @Test func onlyTheOfferedPageOnTheSameThreadIsCopied() {
        let handoff = CheckpointHandoff()
        handoff.checkpointStarted(salt: Self.salt)
        #expect(handoff.isCopyingFrames(salt: Self.salt))
        #expect(!handoff.isCopyingFrames(salt: [UInt8](repeating: 8, count: 16)))
        let page = Self.page(reserveByte: 9)
        // Nothing offered yet: a plaintext page (a frame read the full way).
        #expect(page.withUnsafeBytes { handoff.take(pageNumber: 3, page: $0) } == .notOffered)
        // Another thread never sees the bracket, even for the offered page.
        page.withUnsafeBytes { handoff.offer(pageNumber: 3, page: $0) }
        let elsewhere = Thread.detachedResult {
            (handoff.isCopyingFrames(salt: Self.salt), page.withUnsafeBytes { handoff.take(pageNumber: 3, page: $0) })
        }
        #expect(elsewhere.0 == false && elsewhere.1 == .notOffered)
        // The offered page, once.
        #expect(page.withUnsafeBytes { handoff.take(pageNumber: 3, page: $0) } == .copiedFrame)
        #expect(page.withUnsafeBytes { handoff.take(pageNumber: 3, page: $0) } == .notOffered)
        #expect(handoff.pagesHandedOver == 1)
        // Another page number, or other reserved bytes, after an offer: refused.
        page.withUnsafeBytes { handoff.offer(pageNumber: 3, page: $0) }
        #expect(page.withUnsafeBytes { handoff.take(pageNumber: 4, page: $0) } == .mismatch)
        page.withUnsafeBytes { handoff.offer(pageNumber: 3, page: $0) }
        #expect(Self.page(reserveByte: 0).withUnsafeBytes { handoff.take(pageNumber: 3, page: $0) } == .mismatch)
        #expect(handoff.pagesHandedOver == 1)
        handoff.checkpointFinished()
        #expect(!handoff.isCopyingFrames(salt: Self.salt))
    }
}

extension Thread {
    /// Runs `body` on a new thread and waits for its result (a plain thread: the handoff
    /// keys on OS threads, not tasks).
    static func detachedResult<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            SignalMask.blockAsynchronousSignalsOnThisThread()
            box.value = body()
            done.signal()
        }
        done.wait()
        return box.value!
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
