import CommunityMailTestSupport
import EncryptedSQLite
import Foundation
import Testing

/// No database, journal or WAL file ever holds a marker string written in rows, in the
/// middle of a write transaction (with the page cache forced to spill) or after it.
struct NoPlaintextTests {
    @Test(arguments: [true, false])
    func markerNeverOnDisk(writeAheadLog: Bool) async throws {
        let folder = try TemporaryDirectory()
        let database = try EncryptedDatabase(
            path: folder.path("mailbox.db"),
            configuration: try Fixture.configuration(writeAheadLog: writeAheadLog, kdfIterations: 1000))
        try await database.execute("CREATE TABLE message(id INTEGER PRIMARY KEY, subject TEXT, body BLOB)")
        try await database.execute("CREATE INDEX message_subject ON message(subject)")
        // A tiny cache makes SQLite spill dirty pages to the file (or WAL) mid-transaction.
        try await database.execute("PRAGMA cache_size = 4")
        let marker = Fixture.marker
        let seenMidTransaction: [[String]] = try await database.transaction { tx in
            var seen: [[String]] = []
            for round in 0..<4 {
                for id in 0..<150 {
                    try tx.run("INSERT INTO message(subject, body) VALUES (?, ?)",
                               [.text("\(marker) \(round)-\(id)"), .blob(Array("\(marker) body \(String(repeating: "x", count: 900))".utf8))])
                }
                seen.append(Fixture.filesWithMarker(in: folder.url))
            }
            try tx.run("UPDATE message SET subject = subject || ? WHERE id % 2 = 0", [.text(marker)])
            seen.append(Fixture.filesWithMarker(in: folder.url))
            return seen
        }
        for files in seenMidTransaction { #expect(files.isEmpty, "plaintext in \(files)") }
        #expect(Fixture.filesWithMarker(in: folder.url).isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        #expect(files.contains(writeAheadLog ? "mailbox.db-wal" : "mailbox.db"))
        try await database.checkpoint()
        #expect(Fixture.filesWithMarker(in: folder.url).isEmpty)
        #expect(try await database.query("SELECT count(*) FROM message WHERE subject LIKE ?", [.text("\(marker)%")]).first?[0]
            == .integer(600))
        await database.close()
        #expect(Fixture.filesWithMarker(in: folder.url).isEmpty)
    }

    @Test func journalHoldsEncryptedPagesDuringATransaction() async throws {
        let folder = try TemporaryDirectory()
        let database = try EncryptedDatabase(
            path: folder.path("mailbox.db"),
            configuration: try Fixture.configuration(writeAheadLog: false, kdfIterations: 1000))
        try await database.execute("CREATE TABLE note(id INTEGER PRIMARY KEY, text TEXT)")
        try await database.transaction { tx in
            for id in 0..<200 { try tx.run("INSERT INTO note(text) VALUES (?)", [.text("\(Fixture.marker) \(id)")]) }
        }
        // Changing committed rows journals their old pages, which hold the marker.
        let journalSize: Int = try await database.transaction { tx in
            try tx.run("UPDATE note SET text = 'changed'", [])
            let journal = folder.path("mailbox.db-journal")
            return (try? FileManager.default.attributesOfItem(atPath: journal)[.size] as? Int) ?? 0
        }
        #expect(journalSize > 0)
        #expect(Fixture.filesWithMarker(in: folder.url).isEmpty)
    }
}

/// Memory-mapped I/O would bypass the VFS's decryption: it is refused, whatever the pragma says.
struct MemoryMapTests {
    @Test func mmapPragmaChangesNothing() async throws {
        let folder = try TemporaryDirectory()
        let database = try EncryptedDatabase(
            path: folder.path("mailbox.db"), configuration: try Fixture.configuration(writeAheadLog: false, kdfIterations: 1000))
        try await database.execute("PRAGMA mmap_size = 268435456")
        try await database.execute("CREATE TABLE t(x TEXT)")
        try await database.transaction { tx in
            for id in 0..<300 { try tx.run("INSERT INTO t VALUES (?)", [.text("\(Fixture.marker) \(id)")]) }
        }
        #expect(try await database.query("SELECT count(*) FROM t WHERE x LIKE ?", [.text("\(Fixture.marker)%")]).first?[0] == .integer(300))
        #expect(try await database.integrityCheck() == ["ok"])
        #expect(Fixture.filesWithMarker(in: folder.url).isEmpty)
    }
}

/// Two connections to one file, through two VFS instances: WAL sharing works, and a
/// tampered WAL frame is reported with its page number.
struct SharedFileTests {
    @Test func secondConnectionSeesCommitsAndTamperedFrames() async throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("mailbox.db")
        let writer = try EncryptedDatabase(path: path, configuration: try Fixture.configuration(kdfIterations: 1000))
        try await writer.execute("PRAGMA wal_autocheckpoint = 0")
        try await writer.execute("CREATE TABLE t(x TEXT)")
        try await writer.transaction { tx in
            for id in 0..<50 { try tx.run("INSERT INTO t VALUES (?)", [.text("row \(id) " + String(repeating: "y", count: 200))]) }
        }
        let reader = try EncryptedDatabase(path: path, configuration: try Fixture.configuration(kdfIterations: 1000, create: false))
        #expect(try await reader.query("SELECT count(*) FROM t", []).first?[0] == .integer(50))
        await reader.close()
        // Flip a byte inside the last frame's page (the WAL stays indexed by the open writer).
        let walURL = URL(fileURLWithPath: path + "-wal")
        var wal = try [UInt8](Data(contentsOf: walURL))
        let frameSize = 24 + 4096
        let frames = (wal.count - 32) / frameSize
        #expect(frames >= 2)
        let lastFrame = 32 + (frames - 1) * frameSize
        let pageNumber = UInt32(wal[lastFrame]) << 24 | UInt32(wal[lastFrame + 1]) << 16 | UInt32(wal[lastFrame + 2]) << 8 | UInt32(wal[lastFrame + 3])
        wal[lastFrame + 24 + 1000] ^= 0x04
        try Data(wal).write(to: walURL)
        let second = try? EncryptedDatabase(path: path, configuration: try Fixture.configuration(kdfIterations: 1000, create: false))
        if let second {
            await #expect {
                _ = try await second.query("SELECT count(*), sum(length(x)) FROM t", [])
                _ = try await second.integrityCheck()
            } throws: { error in
                (error as? EncryptedSQLiteError) == .tamperedPage && (error as? EncryptedSQLiteError)?.pageNumber == pageNumber
            }
        } else {
            Issue.record("the second connection did not open")
        }
        await writer.close()
    }
}
