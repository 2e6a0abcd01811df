import AliasStore
import CommunityMailSQL
import CommunityMailSystem
import Foundation

/// 1,000,000 aliases over 1,000 domains in SQLite: `SQLiteAliasStore.resolve` (the mail
/// path's question, with every rule applied) against a bare indexed SQLite lookup of the
/// same rows (the floor: one prepared SELECT on the unique (domain, name) index).
enum AliasesBenchmark {
    static let domainCount = 1_000
    /// ALIASES_BENCH_COUNT overrides the size for a quick trial run.
    static let aliasCount = ProcessInfo.processInfo.environment["ALIASES_BENCH_COUNT"].flatMap { Int($0) } ?? 1_000_000
    static let lookups = min(100_000, aliasCount)

    static func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-aliases-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("aliases.sqlite").path
        print("aliases: \(aliasCount) aliases over \(domainCount) domains in SQLite; \(lookups) look-ups of random existing addresses per run")

        // Bulk load: one snapshot restored in one transaction.
        let time = Date(timeIntervalSince1970: 1_767_225_600)
        let users = (0..<1_000).map { User(id: "u\($0)", email: "u\($0)@home.example") }
        let domains = (0..<domainCount).map {
            Domain(name: "d\($0).example", plan: .team, verificationToken: "token\($0)", verified: true, lastCheckedAt: time,
                   members: [], createdAt: time, updatedAt: time)
        }
        var aliases: [Alias] = []
        aliases.reserveCapacity(aliasCount)
        for index in 0..<aliasCount {
            aliases.append(Alias(
                id: Int64(index + 1), name: "user\(index)", domain: "d\(index % domainCount).example", owner: "u\(index % 1_000)",
                recipients: ["user\(index)@mail\(index % 50).example"], enabled: true, description: "", labels: [],
                createdAt: time, updatedAt: time, provisionedBy: .sync("bench"), revision: 1))
        }
        let snapshot = AliasStoreSnapshot(users: users, domains: domains, aliases: aliases, changes: [], lastAliasID: Int64(aliasCount))
        aliases = []
        var configuration = SQLiteAliasStore.Configuration()
        configuration.synchronous = .normal
        configuration.readConnections = 2
        let store = try SQLiteAliasStore(path: path, configuration: configuration)
        let loadStart = ContinuousClock.now
        try await store.restore(snapshot)
        let loadTime = ContinuousClock.now - loadStart
        report("bulk load (one transaction)", "\(format(loadTime.seconds, 2)) s, \(format(Double(aliasCount) / loadTime.seconds, 0)) aliases/s")

        var random = SystemRandomNumberGenerator()
        let indexes = (0..<lookups).map { _ in Int(random.next(upperBound: UInt64(aliasCount))) }
        let addresses = indexes.map { "user\($0)@d\($0 % domainCount).example" }
        let keys = indexes.map { ("d\($0 % domainCount).example", "user\($0)") }

        // Sanity: both paths find the same rows.
        guard await store.resolve(addresses[0]) == .recipients(["user\(indexes[0])@mail\(indexes[0] % 50).example"]) else {
            throw BenchmarkFailure("resolve returned the wrong recipients")
        }

        // Ours, one task: every rule (address syntax, IDNA, domain state, +tag, patterns,
        // catch-all, chains, bans) in a read transaction.
        _ = await store.resolve(addresses[1])
        var ourLatencies: [Duration] = []
        ourLatencies.reserveCapacity(lookups)
        let oursStart = ContinuousClock.now
        for address in addresses {
            let start = ContinuousClock.now
            guard case .recipients = await store.resolve(address) else { throw BenchmarkFailure("\(address) did not resolve") }
            ourLatencies.append(ContinuousClock.now - start)
        }
        let oursTime = ContinuousClock.now - oursStart

        // Ours again, from a task that prefers the blocking executor: how a server runs a
        // connection's handler (CommunityMailSystem.md, "Running a handler on the
        // executor"), so each look-up runs on the thread the handler holds, with no hand-off.
        let (executorTime, executorLatencies) = try await withTaskExecutorPreference(BlockingExecutor.shared) {
            () async throws -> (Duration, [Duration]) in
            var latencies: [Duration] = []
            latencies.reserveCapacity(lookups)
            let start = ContinuousClock.now
            for address in addresses {
                let lookupStart = ContinuousClock.now
                guard case .recipients = await store.resolve(address) else { throw BenchmarkFailure("\(address) did not resolve") }
                latencies.append(ContinuousClock.now - lookupStart)
            }
            return (ContinuousClock.now - start, latencies)
        }

        // Floor: a bare prepared SELECT on the unique index, on its own connection.
        var connectionConfiguration = SQLiteConnection.Configuration()
        connectionConfiguration.readOnly = true
        let connection = try SQLiteConnection(path: path, configuration: connectionConfiguration)
        let statement = try connection.prepare("SELECT recipients FROM aliases WHERE domain = ? AND name = ?")
        var bareLatencies: [Duration] = []
        bareLatencies.reserveCapacity(lookups)
        let bareStart = ContinuousClock.now
        for (domain, name) in keys {
            let start = ContinuousClock.now
            try statement.bind([domain, name])
            guard try statement.step(), statement.value(at: 0).textValue != nil else { throw BenchmarkFailure("\(name)@\(domain) missing") }
            statement.reset()
            bareLatencies.append(ContinuousClock.now - start)
        }
        let bareTime = ContinuousClock.now - bareStart

        let parts = try await breakdown(path: path, keys: keys, addresses: addresses)

        // Ours with two tasks at once (the machine has two cores), to show the read pool.
        let concurrentStart = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for part in 0..<2 {
                let slice = Array(addresses[(part * lookups / 2)..<((part + 1) * lookups / 2)])
                group.addTask {
                    for address in slice {
                        guard case .recipients = await store.resolve(address) else { throw BenchmarkFailure("\(address) did not resolve") }
                    }
                }
            }
            try await group.waitForAll()
        }
        let concurrentTime = ContinuousClock.now - concurrentStart

        func p(_ latencies: [Duration], _ quantile: Double) -> Double {
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * quantile))].seconds * 1e6
        }
        print("resolution of existing addresses")
        report("ours: SQLiteAliasStore.resolve, 1 task", "\(format(Double(lookups) / oursTime.seconds, 0)) /s, p50 \(format(p(ourLatencies, 0.5))) µs, p99 \(format(p(ourLatencies, 0.99))) µs")
        report("ours: SQLiteAliasStore.resolve, 2 tasks", "\(format(Double(lookups) / concurrentTime.seconds, 0)) /s")
        report("floor: bare indexed SELECT, 1 connection", "\(format(Double(lookups) / bareTime.seconds, 0)) /s, p50 \(format(p(bareLatencies, 0.5))) µs, p99 \(format(p(bareLatencies, 0.99))) µs")
        report("ours: resolve from a task on the executor", "\(format(Double(lookups) / executorTime.seconds, 0)) /s, p50 \(format(p(executorLatencies, 0.5))) µs, p99 \(format(p(executorLatencies, 0.99))) µs")
        report("ratio ours / floor (time per look-up)", format(oursTime.seconds / bareTime.seconds, 2))
        report("ratio ours / floor (p99 latency)", format(p(ourLatencies, 0.99) / p(bareLatencies, 0.99), 2))
        report("ratio ours on the executor / floor (time)", format(executorTime.seconds / bareTime.seconds, 2))
        print("where the time goes, on the executor, as a ratio to the floor (time)")
        for (label, time) in parts { report(label, format(time.seconds / bareTime.seconds, 2)) }
    }

    /// The parts of a look-up's cost, each over the same keys: the floor's statement inside
    /// a read job (what the job machinery and its transaction add), an empty read job, an
    /// empty executor job, and the address parsing alone.
    private static func breakdown(
        path: String, keys: [(String, String)], addresses: [String]
    ) async throws -> [(String, Duration)] {
        var configuration = SQLiteDatabase.Configuration(path: path)
        configuration.readerCount = 2
        // The store has run its two schema steps; this handle only reads and needs no schema.
        configuration.migrations = ["SELECT 1", "SELECT 1"]
        let database = try SQLiteDatabase(configuration: configuration)
        let sql = "SELECT recipients FROM aliases WHERE domain = ? AND name = ?"
        let parts = try await withTaskExecutorPreference(BlockingExecutor.shared) { () async throws -> [(String, Duration)] in
            var parts: [(String, Duration)] = []
            var start = ContinuousClock.now
            for (domain, name) in keys {
                try await database.read { connection in
                    let statement = try connection.prepare(sql)
                    defer { statement.reset() }
                    try statement.bind([domain, name])
                    guard try statement.step() else { throw BenchmarkFailure("\(name)@\(domain) missing") }
                }
            }
            parts.append(("the floor's SELECT in a read job", ContinuousClock.now - start))
            start = ContinuousClock.now
            for _ in keys { _ = try await database.read { _ in 0 } }
            parts.append(("an empty read job (BEGIN, COMMIT)", ContinuousClock.now - start))
            start = ContinuousClock.now
            for _ in keys { _ = await BlockingExecutor.shared.run { () -> Int in 0 } }
            parts.append(("an empty executor job", ContinuousClock.now - start))
            start = ContinuousClock.now
            var parsed = 0
            for address in addresses where (try? EmailAddress(address)) != nil { parsed += 1 }
            guard parsed == addresses.count else { throw BenchmarkFailure("an address did not parse") }
            parts.append(("address parsing alone", ContinuousClock.now - start))
            return parts
        }
        await database.close()
        return parts
    }
}
