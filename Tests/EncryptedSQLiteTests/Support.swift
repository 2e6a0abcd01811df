import CommunityMailCrypto
import CommunityMailTestSupport
import EncryptedSQLite
import Foundation
import Testing

/// Shared fixtures for the EncryptedSQLite tests.
enum Fixture {
    static let passphrase = "correct horse battery staple"
    static let marker = "PLAINTEXT-MARKER-5f1c9e"

    static func configuration(
        passphrase: String = passphrase, pageSize: Int = 4096, legacy: Bool = false,
        writeAheadLog: Bool = true, kdfIterations: Int = 64007, create: Bool = true
    ) throws -> EncryptedDatabase.Configuration {
        var configuration = EncryptedDatabase.Configuration(key: try .passphrase(passphrase))
        configuration.pageSize = pageSize
        configuration.legacy = legacy
        configuration.writeAheadLog = writeAheadLog
        configuration.kdfIterations = kdfIterations
        configuration.create = create
        return configuration
    }

    /// Fills `database` like the sqlite3mc peer does: accounts, 10,000 messages with an
    /// index, and attachments larger than a 64 KiB page.
    static func fillSample(_ database: EncryptedDatabase, messages: Int = 10_000) async throws {
        try await database.transaction { tx in
            var random = SplitMix64(seed: 42)
            try tx.execute("CREATE TABLE account(id INTEGER PRIMARY KEY, name TEXT NOT NULL, quota INTEGER)")
            try tx.execute("CREATE TABLE message(id INTEGER PRIMARY KEY, account INTEGER NOT NULL, subject TEXT, body BLOB)")
            try tx.execute("CREATE INDEX message_by_account ON message(account, subject)")
            try tx.execute("CREATE TABLE attachment(id INTEGER PRIMARY KEY, message INTEGER, data BLOB)")
            for id in 1...20 {
                try tx.run("INSERT INTO account VALUES (?, ?, ?)",
                           [.integer(Int64(id)), .text("user\(id)@ubuntu.com"), .integer(Int64(random.next() >> 24))])
            }
            for id in 1...messages {
                let body = random.bytes(Int(random.next() % 200))
                try tx.run("INSERT INTO message VALUES (?, ?, ?, ?)",
                           [.integer(Int64(id)), .integer(Int64(random.next() % 20 + 1)),
                            .text("subject \(random.next() >> 34)"), .blob(body)])
            }
            for id in 1...10 {
                try tx.run("INSERT INTO attachment VALUES (?, ?, ?)",
                           [.integer(Int64(id)), .integer(Int64(id * 7)), .blob(random.bytes(70_000 + id * 1000))])
            }
        }
    }

    /// Per user table: "name<TAB>rows<TAB>sha256", in the peer scripts' format.
    /// Makes `path` a rollback-journal database of `messages` sample messages, then has the
    /// `encrypted-sql` example run `changes` in one transaction with a tiny page cache (so the
    /// file already holds changed pages) and kills it there, leaving a hot journal. Returns
    /// the digests from before the transaction.
    static func leaveHotJournal(at path: String, messages: Int, changes: [String]) async throws -> [String] {
        let binary = try #require(CrashTests.exampleBinary, "build the encrypted-sql example first (swift build)")
        let database = try EncryptedDatabase(path: path, configuration: try configuration(writeAheadLog: false))
        try await fillSample(database, messages: messages)
        let before = try await digests(database)
        await database.close()
        let child = try ChildProcess(
            binary,
            [path, "PRAGMA journal_mode = DELETE", "PRAGMA cache_size = 5", "BEGIN IMMEDIATE"] + changes + [
                "SELECT 'updated'",
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000000) SELECT count(*) FROM c",
            ],
            environment: ChildProcess.environment(adding: ["MAILBOX_PASSPHRASE": passphrase]))
        let deadline = ContinuousClock.now + .seconds(30)
        while !child.output.contains("updated") && child.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(child.output.contains("updated"), "\(child.output)")
        child.signal(SIGKILL)
        await child.exited()
        #expect(FileManager.default.fileExists(atPath: path + "-journal"), "the child should leave a hot journal")
        return before
    }

    static func digests(_ database: EncryptedDatabase) async throws -> [String] {
        let tables = try await database.query(
            "SELECT name FROM sqlite_schema WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name", [])
        var lines: [String] = []
        for table in tables {
            let name = table[0].textValue ?? ""
            let rows = try await database.query("SELECT * FROM \"\(name)\" ORDER BY rowid", [])
            var text = ""
            for row in rows { text += row.values.map(\.description).joined(separator: "\t") + "\n" }
            lines.append("\(name)\t\(rows.count)\t\(Hex.encode(try SHA256.hash(Data(text.utf8))))")
        }
        return lines
    }

    /// True when `data` contains the marker string.
    static func containsMarker(_ data: Data) -> Bool {
        data.range(of: Data(marker.utf8)) != nil
    }

    /// Every file in `folder` (database, journal, WAL, shm) that contains the marker.
    static func filesWithMarker(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { name in
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { return false }
            return containsMarker(data)
        }
    }
}

/// The apsw-sqlite3mc peer: small python scripts beside these tests, run with the venv.
enum Peer {
    /// Asked once per run: each question starts a python.
    static let available: Bool = TestPeers.pythonHas(["apsw"])
    static var enabled: Bool { TestPeers.shouldRun(available) }

    /// Runs `script` with `arguments` and the passphrase in MAILBOX_PASSPHRASE; returns
    /// its stdout lines. The wait happens off Swift's cooperative threads.
    static func run(_ script: String, _ arguments: [String], passphrase: String = Fixture.passphrase) async throws -> [String] {
        try await BlockingWork.run { try runBlocking(script, arguments, passphrase: passphrase) }
    }

    private static func runBlocking(_ script: String, _ arguments: [String], passphrase: String) throws -> [String] {
        guard let python = TestPeers.python else { throw PeerError("no python virtual environment; run Scripts/install-test-deps") }
        let folder = TestPeers.repositoryRoot.appendingPathComponent("Tests/EncryptedSQLiteTests/Peers")
        let process = Process()
        process.executableURL = python
        process.arguments = [folder.appendingPathComponent(script).path] + arguments
        process.environment = ChildProcess.environment(adding: ["MAILBOX_PASSPHRASE": passphrase])
        // stderr goes to a file: two pipes read one after the other can deadlock once the
        // second fills up.
        let errorURL = FileManager.default.temporaryDirectory.appendingPathComponent("peer-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorURL) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try ChildProcess.launch(process)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let errors = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
            throw PeerError("\(script) failed: \(errors)")
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
