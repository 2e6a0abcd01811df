import AliasStore
import Foundation
import LaunchpadClient
import MemberSync
import Testing

@Suite("MemberSyncService.syncAll: the periodic re-sync")
struct SyncRunTests {
    /// Stores `count` users, each in some teams, and syncs each once (as sign-ins would).
    func populated(_ fixture: MemberSyncFixture, count: Int) async throws {
        let teams = DomainTeamMapping.ubuntu.distinctTeams
        for index in 0..<count {
            let name = "user\(index)"
            try fixture.addPerson(name, teams: teams.enumerated().filter { index % ($0.offset + 2) == 0 }.map(\.element))
            _ = try await fixture.aliases.saveUser(User(id: name, email: "\(name)@example.org"), by: .person(name))
        }
    }

    @Test("A run reports what it did, and a second run changes nothing")
    func runReport() async throws {
        let fixture = try await MemberSyncFixture()
        try await populated(fixture, count: 60)
        let service = fixture.service
        let first = try await service.syncAll()
        #expect(first.errors.isEmpty)
        #expect(first.createdCount > 60)
        #expect(first.attempts == 1)
        fixture.clock.advance(by: 60)
        let second = try await service.syncAll()
        #expect(second.createdCount == 0 && second.removedCount == 0)
        #expect(second.unchangedCount == 61)  // 60 members and the admin
        #expect(second.summary.contains("created 0"))
    }

    @Test("Changes to one domain are serialised across concurrently synced users")
    func perDomainSerialisation() async throws {
        var fixture = try await MemberSyncFixture()
        fixture.configuration.maximumConcurrentUsers = 8
        try await populated(fixture, count: 40)
        let observed = ObservedAliasStore(fixture.aliases)
        let service = MemberSyncService(
            launchpad: fixture.launchpad, aliases: observed, notifier: fixture.notifier, ledger: fixture.ledger,
            clock: fixture.clock, configuration: fixture.configuration)
        let report = try await service.syncAll()
        #expect(report.createdCount > 40)
        #expect(observed.maximumConcurrentMutationsPerDomain == 1)
    }

    @Test("A transient failure aborts the run, which is retried with a new map")
    func transientRetry() async throws {
        let fixture = try await MemberSyncFixture()
        try await populated(fixture, count: 5)
        let service = MemberSyncService(
            launchpad: FlakyLaunchpad(base: fixture.launchpad, transientFailures: 1), aliases: fixture.aliases,
            notifier: fixture.notifier, ledger: fixture.ledger, clock: fixture.clock, configuration: fixture.configuration)
        let report = try await service.syncAll()
        #expect(report.attempts == 2)
        #expect(report.errors.isEmpty)
    }

    @Test("Transient failures on every attempt fail the run and alert")
    func runFails() async throws {
        var fixture = try await MemberSyncFixture()
        fixture.configuration.runAttempts = 2
        fixture.configuration.alertsAddress = "alerts@example.org"
        try await populated(fixture, count: 3)
        let service = MemberSyncService(
            launchpad: FlakyLaunchpad(base: fixture.launchpad, transientFailures: 100), aliases: fixture.aliases,
            notifier: fixture.notifier, ledger: fixture.ledger, clock: fixture.clock, configuration: fixture.configuration)
        await #expect(throws: MemberSyncError.runFailed) { try await service.syncAll() }
        #expect(fixture.notifier.sent.contains { $0.kind == .error && $0.recipients == ["alerts@example.org"] })
    }

    @Test("A user whose sync fails for good is reported; the run goes on")
    func perUserError() async throws {
        var fixture = try await MemberSyncFixture()
        fixture.configuration.alertsAddress = "alerts@example.org"
        try await populated(fixture, count: 6)
        let service = MemberSyncService(
            launchpad: FlakyLaunchpad(base: fixture.launchpad, broken: ["user3"]), aliases: fixture.aliases,
            notifier: fixture.notifier, ledger: fixture.ledger, clock: fixture.clock, configuration: fixture.configuration)
        let report = try await service.syncAll()
        #expect(Array(report.errors.keys) == ["user3"])
        #expect(report.users.count == 6)  // five members and the admin
        #expect(fixture.notifier.sent.contains { $0.kind == .error && $0.subject.contains("user3") })
    }
}
