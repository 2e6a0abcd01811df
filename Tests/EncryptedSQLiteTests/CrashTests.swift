import CommunityMailTestSupport
import EncryptedSQLite
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `encrypted-sql` example, killed with SIGKILL at random points of its write
/// transactions: afterwards the file opens, `integrity_check` is ok, every transaction the
/// child reported committed is there (whole), and no file holds plaintext.
@Suite(.serialized)
struct CrashTests {
    /// 200 kills, each after a random 5-120 ms (startup included), keep the test near 25 s
    /// in a debug build on a loaded machine.
    static let kills = 200
    static let rowsPerTransaction = 4

    static var exampleBinary: URL? { TestPeers.builtExecutable("encrypted-sql") }

    /// The statements of one child run: transactions `first..<first+count`, each inserting
    /// rows (with the marker) and rewriting an older transaction's rows, then reporting.
    static func statements(first: Int, count: Int, rollbackJournal: Bool) -> [String] {
        // WAL runs checkpoint every 16 pages, so kills also land inside checkpoints.
        var statements = rollbackJournal ? ["PRAGMA journal_mode = DELETE"] : ["PRAGMA wal_autocheckpoint = 16"]
        for id in first..<(first + count) {
            statements += [
                "BEGIN IMMEDIATE",
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(rowsPerTransaction))
                INSERT INTO item(txn, n, payload) SELECT \(id), i, '\(Fixture.marker)' || hex(randomblob(300)) FROM n
                """,
                "UPDATE item SET payload = '\(Fixture.marker)' || hex(randomblob(300)) WHERE txn = \(max(0, id - 7))",
                "COMMIT",
                "SELECT 'committed', \(id)",
            ]
        }
        return statements
    }

    /// Enough work that a child is still writing when the kill comes (5 to 120 ms after its
    /// start) even on an idle machine, where 30 transactions were sometimes all done.
    static let transactionsPerChild = 120

    @Test func killedWritersNeverLoseCommittedTransactions() async throws {
        let binary = try #require(Self.exampleBinary, "build the encrypted-sql example first (swift build)")
        let folder = try TemporaryDirectory()
        let path = folder.path("crash.db")
        let environment = ChildProcess.environment(adding: ["MAILBOX_PASSPHRASE": Fixture.passphrase])
        let setup = try ChildProcess(binary, [
            "--create", "--kdf-iter", "1000", path,
            "CREATE TABLE item(txn INTEGER NOT NULL, n INTEGER NOT NULL, payload TEXT, PRIMARY KEY (txn, n))",
        ], environment: environment)
        #expect(await setup.exited() == 0, "\(setup.output)")
        var committed = Set<Int>()
        var nextID = 1
        var random = SplitMix64(seed: 2026)
        var killedMidRun = 0
        for round in 0..<Self.kills {
            let child = try ChildProcess(
                binary, ["--kdf-iter", "1000", path] + Self.statements(first: nextID, count: Self.transactionsPerChild, rollbackJournal: round % 2 == 0),
                environment: environment)
            try await Task.sleep(for: .microseconds(5_000 + Int(random.next() % 115_000)))
            if child.isRunning { killedMidRun += 1 }
            child.signal(SIGKILL)
            await child.exited()
            for line in child.output.split(separator: "\n") where line.hasPrefix("committed\t") {
                if let id = Int(line.dropFirst("committed\t".count)) { committed.insert(id) }
            }
            nextID += Self.transactionsPerChild
            // What a crash leaves behind (hot journal, WAL) must hold no plaintext either.
            let leaked = Fixture.filesWithMarker(in: folder.url)
            #expect(leaked.isEmpty, "plaintext in \(leaked) after kill \(round)")
            let database = try EncryptedDatabase(
                path: path, configuration: try Fixture.configuration(kdfIterations: 1000, create: false))
            let rows = try await database.query("SELECT txn, count(*) FROM item GROUP BY txn", [])
            var present = [Int: Int64]()
            for row in rows { present[Int(row[0].integerValue ?? -1)] = row[1].integerValue }
            let missing = committed.filter { present[$0] == nil }
            #expect(missing.isEmpty, "committed transactions lost after kill \(round): \(missing.sorted())")
            #expect(present.values.allSatisfy { $0 == Int64(Self.rowsPerTransaction) }, "a partial transaction after kill \(round)")
            if round % 20 == 19 || round == Self.kills - 1 {
                #expect(try await database.integrityCheck() == ["ok"], "after kill \(round)")
            }
            await database.close()
            if !missing.isEmpty { break }
        }
        print("crash test: \(Self.kills) kills, \(killedMidRun) mid-run, \(committed.count) transactions reported committed")
        #expect(committed.count > 0, "no child ever committed: the kills came too early")
        #expect(killedMidRun > Self.kills / 2, "most kills should hit a running child")
    }

    @Test func killedRekeysLeaveOneKeyWorking() async throws {
        let binary = try #require(Self.exampleBinary, "build the encrypted-sql example first (swift build)")
        let folder = try TemporaryDirectory()
        let path = folder.path("rekey.db")
        let passphrases = ["first passphrase", "second passphrase"]
        let database = try EncryptedDatabase(path: path, configuration: try Fixture.configuration(kdfIterations: 1000))
        try await database.execute("CREATE TABLE message(id INTEGER PRIMARY KEY, subject TEXT, body BLOB)")
        try await database.transaction { tx in
            for id in 1...400 {
                try tx.run("INSERT INTO message VALUES (?, ?, randomblob(600))", [.integer(Int64(id)), .text("subject \(id)")])
            }
        }
        let expected = try await Fixture.digests(database)
        try await database.rekey(to: .passphrase(passphrases[0]))
        await database.close()
        var current = 0
        var random = SplitMix64(seed: 7)
        var switched = 0
        for round in 0..<20 {
            let next = 1 - current
            let child = try ChildProcess(binary, ["--kdf-iter", "1000", "--rekey-from-env", "NEW_PASSPHRASE", path], environment: ChildProcess.environment(adding: [
                "MAILBOX_PASSPHRASE": passphrases[current], "NEW_PASSPHRASE": passphrases[next],
            ]))
            try await Task.sleep(for: .microseconds(5_000 + Int(random.next() % 150_000)))
            child.signal(SIGKILL)
            await child.exited()
            var opened: EncryptedDatabase?
            for candidate in [current, next] {
                if let database = try? EncryptedDatabase(
                    path: path, configuration: try Fixture.configuration(passphrase: passphrases[candidate], kdfIterations: 1000, create: false)) {
                    opened = database
                    if candidate != current { switched += 1 }
                    current = candidate
                    break
                }
            }
            let reopened = try #require(opened, "neither key opens the database after kill \(round)")
            #expect(try await reopened.integrityCheck() == ["ok"])
            #expect(try await Fixture.digests(reopened) == expected, "after kill \(round)")
            await reopened.close()
        }
        print("rekey crash test: 20 kills, the new key took over \(switched) times")
    }
}
