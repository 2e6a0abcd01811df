import AliasStore
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import Testing

/// Postfix (Debian's `postfix` package) reads our export: `postmap` builds the hash table
/// and `postmap -q` answers like our resolver for 1,000 sampled addresses.
@Suite("Postfix accepts the exported virtual alias map")
struct PostfixInteropTests {
    static let postmap = TestPeers.executable("postmap")

    @Test("postmap builds the map and postmap -q agrees with resolve() on 1,000 addresses",
          .enabled(if: TestPeers.shouldRun(postmap != nil), "needs postmap (Debian package postfix)"))
    func postmapAgrees() async throws {
        let postmap = try #require(Self.postmap, "postmap is not installed; run Scripts/install-test-deps")
        let folder = try TemporaryDirectory(prefix: "aliases-postfix")
        var configuration = SQLiteAliasStore.Configuration()
        configuration.synchronous = .normal
        let store = try SQLiteAliasStore(path: folder.path("aliases.sqlite"), configuration: configuration)
        var random = SplitMix64(seed: 0xA11A5)
        let fixture = try await Fixture.build(store, random: &random)

        let export = try await store.postfixExport()
        try export.virtualAliasMaps.write(toFile: folder.path("virtual"), atomically: true, encoding: .utf8)
        try export.virtualAliasDomains.write(toFile: folder.path("virtual_domains"), atomically: true, encoding: .utf8)
        // postmap wants a main.cf; an empty one in our own folder keeps the system's out of it.
        try "".write(toFile: folder.path("main.cf"), atomically: true, encoding: .utf8)
        let build = try await run(postmap, ["-c", folder.url.path, "hash:" + folder.path("virtual")])
        #expect(build.status == 0, "postmap failed: \(build.error)")
        #expect(FileManager.default.fileExists(atPath: folder.path("virtual.db")))

        // Sample the address kinds a virtual table can express (see PostfixExport).
        var samples: [String] = []
        while samples.count < 1_000 { samples.append(fixture.sample(&random)) }

        // Postfix's virtual(5) search order with recipient_delimiter = +:
        // user+ext@domain, user@domain, @domain. One postmap run answers every key.
        func keys(_ address: String) -> [String] {
            let at = address.lastIndex(of: "@")!
            let local = address[..<at]
            let domain = address[address.index(after: at)...]
            var keys = [address]
            if let plus = local.firstIndex(of: "+"), plus != local.startIndex { keys.append("\(local[..<plus])@\(domain)") }
            keys.append("@\(domain)")
            return keys
        }
        let allKeys = Set(samples.flatMap(keys))
        try allKeys.sorted().joined(separator: "\n").appending("\n").write(toFile: folder.path("queries"), atomically: true, encoding: .utf8)
        let query = try await run(postmap, ["-c", folder.url.path, "-q", "-", "hash:" + folder.path("virtual")], input: folder.path("queries"))
        #expect(query.error.isEmpty, "postmap -q printed: \(query.error)")
        var answers: [String: [String]] = [:]
        for line in query.output.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { continue }
            answers[parts[0].lowercased()] = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        #expect(!answers.isEmpty)

        var forwarded = 0
        var refused = 0
        for address in samples {
            let postfix = keys(address).lazy.compactMap { answers[$0.lowercased()] }.first
            let ours = await store.resolve(address)
            switch ours {
            case .recipients(let recipients):
                forwarded += 1
                #expect(postfix == recipients, "\(address): postfix \(postfix ?? []), ours \(recipients)")
            case .rejected(let rejection):
                refused += 1
                #expect(postfix == nil, "\(address): postfix forwards to \(postfix ?? []), ours rejects (\(rejection.reply))")
            case .unknown:
                Issue.record("\(address) was sampled from our own domains but resolved as unknown")
            }
        }
        // The sample must exercise both outcomes, or the comparison proves little.
        #expect(forwarded > 500 && refused > 100, "forwarded \(forwarded), refused \(refused)")
        #expect(export.omitted.contains { $0.address.hasPrefix("/") })
    }

    /// Runs `executable` off Swift's cooperative threads (see BlockingWork).
    private func run(_ executable: URL, _ arguments: [String], input: String? = nil) async throws -> (status: Int32, output: String, error: String) {
        try await BlockingWork.run { try Self.runBlocking(executable, arguments, input: input) }
    }

    private static func runBlocking(_ executable: URL, _ arguments: [String], input: String?) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("postmap-\(UUID().uuidString).out")
        let errorURL = FileManager.default.temporaryDirectory.appendingPathComponent("postmap-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        process.standardInput = input.flatMap { FileHandle(forReadingAtPath: $0) } ?? FileHandle.nullDevice
        try ChildProcess.launch(process)
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: outputURL, encoding: .utf8), try String(contentsOf: errorURL, encoding: .utf8))
    }
}

/// A varied store: domains with and without catch-alls, chains, disabled aliases, banned
/// owners, and one domain of pattern aliases (which the export cannot express, so no
/// addresses are sampled there).
struct Fixture {
    var exact: [(name: String, domain: String)] = []
    var refusedOnPlainDomains: [(name: String, domain: String)] = []
    var plainDomains: [String] = []
    var catchAllDomains: [String] = []

    static func build(_ store: some AliasStore, random: inout SplitMix64) async throws -> Fixture {
        var fixture = Fixture()
        let system = ChangeActor.sync("fixture")
        _ = try await store.saveUser(User(id: "root-admin", email: "admin@home.example"), by: system)
        for index in 0..<40 {
            _ = try await store.saveUser(User(id: "u\(index)", email: "u\(index)@home.example", banned: index == 7), by: system)
        }
        let admin = ChangeActor.person("root-admin")
        var domains: [String] = []
        for index in 0..<12 {
            let name = index == 11 ? "bücher-\(index).example" : "d\(index).example"
            let domain = try await store.createDomain(name, plan: .team, verificationToken: nil, by: system)
            _ = try await store.setMember("root-admin", role: .admin, onDomain: domain.name, by: system)
            _ = try await store.recordVerification(domain: domain.name, verified: true, by: system)
            domains.append(domain.name)
            if index % 3 == 0 {
                fixture.catchAllDomains.append(domain.name)
                _ = try await store.createAlias(
                    NewAlias(name: "*", domain: domain.name, owner: "root-admin", recipients: ["catchall-\(index)@elsewhere.example"]), by: admin)
            } else {
                fixture.plainDomains.append(domain.name)
            }
        }
        _ = try await store.createDomain("patterns.example", plan: .enhanced, verificationToken: nil, by: system)
        _ = try await store.setMember("root-admin", role: .admin, onDomain: "patterns.example", by: system)
        _ = try await store.recordVerification(domain: "patterns.example", verified: true, by: system)
        _ = try await store.createAlias(
            NewAlias(name: "/^dev-.*$/", domain: "patterns.example", owner: "root-admin", recipients: ["devs@elsewhere.example"]), by: admin)

        for index in 0..<1_200 {
            let domain = domains[Int(random.next() % UInt64(domains.count))]
            let name = "user\(index)" + (index % 5 == 0 ? ".x" : "")
            let owner = "u\(index % 40)"
            var recipients = ["\(name)@mail\(index % 7).example"]
            if index % 4 == 0 { recipients.append("copy\(index)@elsewhere.example") }
            // Chains: some aliases forward to earlier aliases on our own domains.
            if index % 6 == 5, let target = fixture.exact.randomElement(using: &random) {
                recipients.append("\(target.name)@\(target.domain)")
            }
            let enabled = index % 17 != 3
            let alias = try await store.createAlias(
                NewAlias(name: name, domain: domain, owner: owner, recipients: recipients, enabled: enabled), by: system)
            if enabled && owner != "u7" {
                fixture.exact.append((alias.name, alias.domain))
            } else if fixture.plainDomains.contains(alias.domain) {
                fixture.refusedOnPlainDomains.append((alias.name, alias.domain))
            }
        }
        return fixture
    }

    /// One address the tables can express, with mixed case and tags to exercise folding.
    func sample(_ random: inout SplitMix64) -> String {
        switch random.next() % 10 {
        case 0, 1, 2, 3:
            let alias = exact.randomElement(using: &random)!
            return "\(alias.name)@\(alias.domain)"
        case 4:
            let alias = exact.randomElement(using: &random)!
            return "\(alias.name.uppercased())@\(alias.domain.uppercased())"
        case 5:
            let alias = exact.randomElement(using: &random)!
            return "\(alias.name)+tag\(random.next() % 100)@\(alias.domain)"
        case 6:
            return "nobody\(random.next() % 1000)@\(catchAllDomains.randomElement(using: &random)!)"
        case 7:
            return "nobody\(random.next() % 1000)+x@\(plainDomains.randomElement(using: &random)!)"
        case 8:
            let alias = refusedOnPlainDomains.randomElement(using: &random)!
            return "\(alias.name)@\(alias.domain)"
        default:
            return "nobody\(random.next() % 1000)@\(plainDomains.randomElement(using: &random)!)"
        }
    }
}

