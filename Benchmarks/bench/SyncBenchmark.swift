import AliasStore
import CommunityMailSystem
import Foundation
import LaunchpadClient
import MemberSync

/// A re-sync of 5,000 members over Ubuntu's 6 domains with the fakes (Launchpad served as
/// JSON pages from memory, the in-memory alias store): the first run provisions, the second
/// must change nothing. Baseline: the same first run one user at a time.
enum SyncBenchmark {
    static let users = 5_000

    static func run() async throws {
        print("sync: \(users) members over \(DomainTeamMapping.ubuntu.domains.count) domains, fakes; first run provisions, second changes nothing")
        let concurrent = try await measure(concurrency: 8)
        let sequential = try await measure(concurrency: 1)
        report("first run, 8 users at a time", "\(format(Double(users) / concurrent.first.seconds, 0)) users/s (\(concurrent.created) addresses)")
        report("second run, 8 users at a time", "\(format(Double(users) / concurrent.second.seconds, 0)) users/s, changes: \(concurrent.changesOnSecondRun)")
        report("baseline: first run, 1 user at a time", "\(format(Double(users) / sequential.first.seconds, 0)) users/s")
        report("ratio concurrent / sequential (time)", format(concurrent.first.seconds / sequential.first.seconds, 2))
        guard concurrent.changesOnSecondRun == 0, sequential.changesOnSecondRun == 0 else {
            throw BenchmarkFailure("the second run changed something: it must be idempotent")
        }
    }

    struct Measurement {
        var first: Duration
        var second: Duration
        var created: Int
        var changesOnSecondRun: Int
    }

    static func measure(concurrency: Int) async throws -> Measurement {
        let launchpad = try InMemoryLaunchpad(pageSize: 300)
        let teams = DomainTeamMapping.ubuntu.distinctTeams
        try launchpad.update { directory in
            for team in teams { try directory.addTeam(team) }
            for index in 0..<users {
                let name = "member\(index)"
                try directory.addPerson(name)
                // Everyone in ~ubuntumembers; every third also in one flavour's team.
                try directory.addMember(name, to: "ubuntumembers")
                if index % 3 == 0 { try directory.addMember(name, to: teams[index % teams.count]) }
            }
        }
        let aliases = InMemoryAliasStore()
        _ = try await aliases.saveUser(User(id: "admin", email: "admin@example.org"), by: .person("root"))
        for domain in DomainTeamMapping.ubuntu.domains {
            _ = try await aliases.createDomain(domain, plan: .team, verificationToken: nil, by: .person("root"))
            _ = try await aliases.recordVerification(domain: domain, verified: true, by: .person("root"))
            _ = try await aliases.setMember("admin", role: .admin, onDomain: domain, by: .person("root"))
        }
        for index in 0..<users {
            _ = try await aliases.saveUser(User(id: "member\(index)", email: "member\(index)@example.org"), by: .person("root"))
        }
        var configuration = MemberSyncService.Configuration()
        configuration.maximumConcurrentUsers = concurrency
        let clock = ManualClock()
        let service = MemberSyncService(
            launchpad: launchpad, aliases: aliases, notifier: RecordingNotifier(), ledger: InMemorySyncLedger(), clock: clock,
            configuration: configuration)
        var start = ContinuousClock.now
        let first = try await service.syncAll()
        let firstTime = ContinuousClock.now - start
        clock.advance(by: 60)
        start = ContinuousClock.now
        let second = try await service.syncAll()
        let secondTime = ContinuousClock.now - start
        guard first.errors.isEmpty, second.errors.isEmpty else {
            throw BenchmarkFailure("sync errors: \(first.errors.merging(second.errors) { $1 }.prefix(3))")
        }
        return Measurement(
            first: firstTime, second: secondTime, created: first.createdCount,
            changesOnSecondRun: second.createdCount + second.removedCount)
    }
}
