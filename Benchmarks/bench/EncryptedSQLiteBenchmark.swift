import CommunityMailCrypto
import CommunityMailSQL
import CommunityMailSystem
import EncryptedSQLite
import Foundation

/// 20,000 rows of 4 KiB inserted (in transactions of 1,000) and read back, in plain SQLite
/// and through the encrypting VFS, with the same settings (WAL, synchronous=FULL, 4 KiB
/// pages); a raw key, so no PBKDF2 in the timed part.
///
/// It also prints the crypto floor: the ChaCha20 and Poly1305 work the format needs for
/// the pages the run wrote (seal each page into the WAL, check its tag when the checkpoint
/// copies it, check and decrypt it on reading back), timed alone in a tight loop, added to
/// plain SQLite's time. No implementation of the format can beat that ratio here.
enum EncryptedSQLiteBenchmark {
    static let rows = 20_000
    static let rowSize = 4096
    static let batch = 1000
    static let pageSize = 4096
    static let repetitions = 5

    static func run() async throws {
        let megabytes = Double(rows * rowSize) / 1_048_576
        print("encrypted-sqlite: \(rows) rows of \(rowSize) bytes (\(format(megabytes)) MiB) written then read back; plain and encrypted runs alternate, fastest of \(repetitions) each after a warm-up")
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
        var pages = 0
        for repetition in 0...repetitions {
            let plainRun = try plainRun(path: freshPath(), payload: payload)
            let oursRun = try await encryptedRun(path: freshPath(), payload: payload, key: key)
            pages = oursRun.pages
            if repetition > 0 {
                plain.keepFastest(plainRun)
                ours.keepFastest((oursRun.write, oursRun.read))
            }
        }
        let floor = try cryptoFloor(pages: pages)
        let plainWrite = plain.write, plainRead = plain.read, oursWrite = ours.write, oursRead = ours.read

        func rate(_ duration: Duration) -> String { "\(format(megabytes / duration.seconds)) MiB/s" }
        report("plain SQLite: insert", "\(format(plainWrite.seconds, 3)) s  \(rate(plainWrite))")
        report("plain SQLite: read back", "\(format(plainRead.seconds, 3)) s  \(rate(plainRead))")
        report("encrypted (sqlite3mc chacha20 VFS): insert", "\(format(oursWrite.seconds, 3)) s  \(rate(oursWrite))")
        report("encrypted (sqlite3mc chacha20 VFS): read back", "\(format(oursRead.seconds, 3)) s  \(rate(oursRead))")
        report("ratio encrypted / plain: insert", "\(format(oursWrite.seconds / plainWrite.seconds, 2))x")
        report("ratio encrypted / plain: read back", "\(format(oursRead.seconds / plainRead.seconds, 2))x")
        report("ratio encrypted / plain: total (goal <= 1.3x)", "\(format(ours.total.seconds / plain.total.seconds, 2))x")
        print("crypto floor: ChaCha20 + Poly1305 alone for the \(pages) pages written, in a tight loop")
        report("floor: insert (seal, checkpoint tag check)", "\(format(floor.insert.seconds, 3)) s")
        report("floor: read back (tag check, decrypt)", "\(format(floor.read.seconds, 3)) s")
        report("floor ratio (plain + floor) / plain: insert", "\(format((plainWrite + floor.insert).seconds / plainWrite.seconds, 2))x")
        report("floor ratio (plain + floor) / plain: read back", "\(format((plainRead + floor.read).seconds / plainRead.seconds, 2))x")
        report("floor ratio (plain + floor) / plain: total", "\(format((plain.total + floor.insert + floor.read).seconds / plain.total.seconds, 2))x")
    }

    /// The page crypto of sqlite3mc's chacha20 scheme, through the same libcrypto contexts
    /// the VFS uses, for `pages` pages: sealing (one-time key, encrypt, tag) plus a tag
    /// check for the insert, a tag check plus decryption for the read.
    static func cryptoFloor(pages: Int) throws -> (insert: Duration, read: Duration) {
        let chacha = try ChaCha20.Context()
        let poly = try Poly1305.Context()
        let masterKey = try SecureRandom.bytes(32)
        let nonce = try SecureRandom.bytes(12)
        let zeros = [UInt8](repeating: 0, count: 64)
        var oneTimeKey = [UInt8](repeating: 0, count: 64)
        var page = try SecureRandom.bytes(pageSize)
        var tag = [UInt8](repeating: 0, count: 16)
        let body = pageSize - 32
        let sample = 2000

        func deriveOneTimeKey(_ counter: UInt32) throws {
            try zeros.withUnsafeBytes { input in
                try oneTimeKey.withUnsafeMutableBytes { try chacha.apply(key: masterKey, nonce: nonce, counter: counter, input: input, output: $0) }
            }
        }
        func crypt(_ counter: UInt32) throws {
            try page.withUnsafeMutableBytes { raw in
                let part = UnsafeMutableRawBufferPointer(rebasing: raw[0..<body])
                try chacha.apply(key: oneTimeKey[32..<64], nonce: nonce, counter: counter &+ 1, input: UnsafeRawBufferPointer(part), output: part)
            }
        }
        func authenticate() throws {
            try page.withUnsafeBytes { raw in
                try tag.withUnsafeMutableBytes {
                    try poly.authenticate(key: oneTimeKey[0..<32], message: UnsafeRawBufferPointer(rebasing: raw[0..<(body + 16)]), tag: $0)
                }
            }
        }
        let insert = try BenchmarkClock.fastest {
            for index in 0..<sample {
                let counter = UInt32(index)
                try deriveOneTimeKey(counter); try crypt(counter); try authenticate()  // seal into the WAL
                try deriveOneTimeKey(counter); try authenticate()  // the checkpoint's tag check
            }
        }
        let read = try BenchmarkClock.fastest {
            for index in 0..<sample {
                let counter = UInt32(index)
                try deriveOneTimeKey(counter); try authenticate(); try crypt(counter)
            }
        }
        let scale = Double(pages) / Double(sample)
        return (insert * scale, read * scale)
    }

    /// The fastest insert and the fastest read back seen; the total is their sum, so it
    /// agrees with the two lines printed above it.
    struct Timings {
        var write = Duration.seconds(1_000_000)
        var read = Duration.seconds(1_000_000)
        var total: Duration { write + read }

        mutating func keepFastest(_ run: (write: Duration, read: Duration)) {
            write = min(write, run.write)
            read = min(read, run.read)
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

    /// - Returns: the timings and the number of pages in the file.
    static func encryptedRun(path: String, payload: [UInt8], key: EncryptionKey) async throws -> (write: Duration, read: Duration, pages: Int) {
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
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        return (written - start, done - written, size / pageSize)
    }
}
