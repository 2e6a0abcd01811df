import CommunityMailCrypto
import CommunityMailSQL
import EncryptedMailbox
import Foundation

/// 20,000 rows of 4 KiB inserted (in transactions of 1,000) and read back, in plain SQLite
/// and through the encrypting VFS, with the same settings (WAL, synchronous=FULL, 4 KiB
/// pages); a raw key, so no PBKDF2 in the timed part.
enum EncryptedSQLiteBenchmark {
    static let rows = 20_000
    static let rowSize = 4096
    static let batch = 1000

    static func run() async throws {
        let megabytes = Double(rows * rowSize) / 1_048_576
        print("encrypted-sqlite: \(rows) rows of \(rowSize) bytes (\(format(megabytes)) MiB) written then read back; plain and encrypted runs alternate, fastest of 3 each after a warm-up")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-encrypted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let payload = try SecureRandom.bytes(rowSize)
        let key = try EncryptionKey.raw(try SecureRandom.bytes(32))
        var run = 0

        func freshPath() -> String {
            run += 1
            return folder.appendingPathComponent("run\(run).db").path
        }

        // Plain and encrypted runs alternate, so both see the same machine load; each
        // figure is the fastest of its runs after one warm-up pair.
        var plain = Timings()
        var ours = Timings()
        for repetition in 0..<4 {
            let plainRun = try plainRun(path: freshPath(), payload: payload)
            let oursRun = try await encryptedRun(path: freshPath(), payload: payload, key: key)
            if repetition > 0 {
                plain.keepFastest(plainRun)
                ours.keepFastest(oursRun)
            }
        }
        let plainWrite = plain.write, plainRead = plain.read, oursWrite = ours.write, oursRead = ours.read

        func rate(_ duration: Duration) -> String { "\(format(megabytes / duration.seconds)) MiB/s" }
        report("plain SQLite: insert", "\(format(plainWrite.seconds, 3)) s  \(rate(plainWrite))")
        report("plain SQLite: read back", "\(format(plainRead.seconds, 3)) s  \(rate(plainRead))")
        report("encrypted (sqlite3mc chacha20 VFS): insert", "\(format(oursWrite.seconds, 3)) s  \(rate(oursWrite))")
        report("encrypted (sqlite3mc chacha20 VFS): read back", "\(format(oursRead.seconds, 3)) s  \(rate(oursRead))")
        report("ratio encrypted / plain: insert", "\(format(oursWrite.seconds / plainWrite.seconds, 2))x")
        report("ratio encrypted / plain: read back", "\(format(oursRead.seconds / plainRead.seconds, 2))x")
        report("ratio encrypted / plain: total (goal <= 1.3x)", "\(format(ours.total.seconds / plain.total.seconds, 2))x")
    }

    struct Timings {
        var write = Duration.seconds(1_000_000)
        var read = Duration.seconds(1_000_000)
        var total = Duration.seconds(1_000_000)

        mutating func keepFastest(_ run: (write: Duration, read: Duration)) {
            write = min(write, run.write)
            read = min(read, run.read)
            total = min(total, run.write + run.read)
        }
    }

    static func plainRun(path: String, payload: [UInt8]) throws -> (write: Duration, read: Duration) {
        let start = ContinuousClock.now
        let connection = try SQLiteConnection(path: path)
        try connection.execute("CREATE TABLE blob(id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
        for first in stride(from: 0, to: rows, by: batch) {
            try connection.transaction {
                for id in first..<(first + batch) {
                    try connection.run("INSERT INTO blob VALUES (?, ?)", [Int64(id), payload])
                }
            }
        }
        let written = ContinuousClock.now
        let read = try connection.query("SELECT id, payload FROM blob ORDER BY id")
        let bytes = read.reduce(0) { $0 + ($1[1].blobValue?.count ?? 0) }
        guard bytes == rows * rowSize else { throw BenchmarkFailure("plain read back \(bytes) bytes") }
        return (written - start, ContinuousClock.now - written)
    }

    static func encryptedRun(path: String, payload: [UInt8], key: EncryptionKey) async throws -> (write: Duration, read: Duration) {
        let start = ContinuousClock.now
        let database = try EncryptedDatabase(path: path, configuration: .init(key: key))
        try await database.execute("CREATE TABLE blob(id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
        for first in stride(from: 0, to: rows, by: batch) {
            try await database.transaction { tx in
                for id in first..<(first + batch) {
                    try tx.run("INSERT INTO blob VALUES (?, ?)", [.integer(Int64(id)), .blob(payload)])
                }
            }
        }
        let written = ContinuousClock.now
        let read = try await database.query("SELECT id, payload FROM blob ORDER BY id")
        let bytes = read.reduce(0) { $0 + ($1[1].blobValue?.count ?? 0) }
        guard bytes == rows * rowSize else { throw BenchmarkFailure("encrypted read back \(bytes) bytes") }
        let done = ContinuousClock.now
        await database.close()
        return (written - start, done - written)
    }
}
