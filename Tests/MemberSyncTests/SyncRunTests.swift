import AliasStore
import CommunityMailSystem
import Foundation
import HTTPTransport
import LaunchpadClient
import MemberSync
import Testing

@Suite("MemberSyncService.syncAll: the periodic re-sync")
struct SyncRunTests {
    /// Stores `count` users, user i in team k when i is a multiple of k + 2 (so some are in
    /// no team); returns how many are in at least one team.
    @discardableResult
    func populated(_ fixture: MemberSyncFixture, count: Int) async throws -> Int {
        let teams = DomainTeamMapping.ubuntu.distinctTeams
        var inSomeTeam = 0
        for index in 0..<count {
            let name = "user\(index)"
            let memberships = teams.enumerated().filter { index % ($0.offset + 2) == 0 }.map(\.element)
            if !memberships.isEmpty { inSomeTeam += 1 }
            try fixture.addPerson(name, teams: memberships)
            _ = try await fixture.aliases.saveUser(User(id: name, email: "\(name)@example.org"), by: .person(name))
        }
        return inSomeTeam
    }

    @Test("A run reports what it did, and a second run changes nothing")
    func runReport() async throws {
        let fixture = try await MemberSyncFixture()
        let members = try await populated(fixture, count: 60)
        let service = fixture.service
        let first = try await service.syncAll()
        #expect(first.errors.isEmpty)
        #expect(first.createdCount > members)
        #expect(first.attempts == 1)
        fixture.clock.advance(by: 60)
        let second = try await service.syncAll()
        #expect(second.createdCount == 0 && second.removedCount == 0)
        // Users in no team, and the hand-made admin, hold nothing the sync gave: left alone.
        #expect(second.users.count == members)
        #expect(second.unchangedCount == members)
        #expect(second.refusedCount == 0)
        #expect(second.summary.contains("created 0"))
    }

    @Test("A member who left every team is still looked after by the run, and loses the address")
    func leaverIsManaged() async throws {
        let fixture = try await MemberSyncFixture()
        try fixture.addPerson("pat", teams: ["ubuntumembers"])
        _ = try await fixture.aliases.saveUser(User(id: "pat", email: "pat@example.org"), by: .person("pat"))
        #expect(try await fixture.service.syncAll().createdCount == 1)
        try fixture.launchpad.update { $0.removeMember("pat", from: "ubuntumembers") }
        fixture.clock.advance(by: 60)
        let report = try await fixture.service.syncAll()
        #expect(report.removedCount == 1)
        #expect(try await fixture.addresses(of: "pat").isEmpty)
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
        let service = fixture.service(launchpad: FlakyLaunchpad(base: fixture.launchpad, transientFailures: 1))
        let report = try await service.syncAll()
        #expect(report.attempts == 2)
        #expect(report.errors.isEmpty)
    }

    /// Failures that Launchpad or the network may not repeat, as the modules classify them.
    static let transientFailures: [LaunchpadError] = [
        LaunchpadError.unexpectedStatus.with(status: 503, message: "scripted: 503"),
        LaunchpadError.unexpectedStatus.with(status: 429, message: "scripted: 429"),
        LaunchpadError.transport.with(message: "scripted: timed out", cause: HTTPClientError.timeout),
        LaunchpadError.transport.with(message: "scripted: refused", cause: HTTPClientError.connectionRefused),
    ]

    /// Failures that will repeat.
    static let permanentFailures: [LaunchpadError] = [
        LaunchpadError.unexpectedStatus.with(status: 400, message: "scripted: 400"),
        LaunchpadError.transport.with(message: "scripted: TLS", cause: HTTPClientError.tls),
        LaunchpadError.malformedJSON.with(message: "scripted: not JSON"),
    ]

    @Test("A transient Launchpad or HTTP failure aborts the run, which waits on the clock and is retried",
          arguments: transientFailures)
    func transientFailureIsRetried(failure: LaunchpadError) async throws {
        var fixture = try await MemberSyncFixture()
        fixture.configuration.runRetryDelay = .seconds(30)
        try await populated(fixture, count: 5)
        let clock = ManualClock(advancesOnSleep: true)
        let service = MemberSyncService(
            launchpad: FlakyLaunchpad(base: fixture.launchpad, transientFailures: 1, failure: failure),
            aliases: fixture.aliases, notifier: fixture.notifier, ledger: fixture.ledger, clock: clock,
            configuration: fixture.configuration)
        let report = try await service.syncAll()
        #expect(report.attempts == 2)
        #expect(report.errors.isEmpty)
        #expect(clock.sleeps == [.seconds(30)])
    }

    @Test("A permanent Launchpad or HTTP failure is reported for its user, never retried", arguments: permanentFailures)
    func permanentFailureIsNotRetried(failure: LaunchpadError) async throws {
        let fixture = try await MemberSyncFixture()
        try await populated(fixture, count: 5)
        let service = fixture.service(launchpad: FlakyLaunchpad(base: fixture.launchpad, transientFailures: 1, failure: failure))
        let report = try await service.syncAll()
        #expect(report.attempts == 1)
        #expect(report.errors.count == 1)
        #expect(fixture.clock.sleeps.isEmpty)
    }

    @Test("A run that fails after its attempts keeps the last cause and is as transient as it")
    func runFailureKeepsCause() async throws {
        var fixture = try await MemberSyncFixture()
        fixture.configuration.runAttempts = 2
        try await populated(fixture, count: 3)
        let failure = LaunchpadError.transport.with(message: "scripted: timed out", cause: HTTPClientError.timeout)
        let service = fixture.service(launchpad: FlakyLaunchpad(base: fixture.launchpad, transientFailures: 100, failure: failure))
        let error = await #expect(throws: MemberSyncError.runFailed) { try await service.syncAll() }
        #expect(error?.cause as? LaunchpadError == .transport)
        #expect(error?.isTransient == true)
        #expect(MemberSyncError.invalidIdentity.isTransient == false)
        #expect(MemberSyncError.identityMismatch.isTransient == false)
    }

    @Test("Transient failures on every attempt fail the run and alert")
    func runFails() async throws {
        var fixture = try await MemberSyncFixture()
        fixture.configuration.runAttempts = 2
        fixture.configuration.alertsAddress = "alerts@example.org"
        try await populated(fixture, count: 3)
        let service = fixture.service(launchpad: FlakyLaunchpad(base: fixture.launchpad, transientFailures: 100))
        await #expect(throws: MemberSyncError.runFailed) { try await service.syncAll() }
        #expect(fixture.notifier.sent.contains { $0.kind == .error && $0.recipients == ["alerts@example.org"] })
    }

    @Test("A user whose sync fails for good is reported; the run goes on")
    func perUserError() async throws {
        var fixture = try await MemberSyncFixture()
        fixture.configuration.alertsAddress = "alerts@example.org"
        let members = try await populated(fixture, count: 6)
        let service = fixture.service(launchpad: FlakyLaunchpad(base: fixture.launchpad, broken: ["user3"]))
        let report = try await service.syncAll()
        #expect(Array(report.errors.keys) == ["user3"])
        #expect(report.users.count == members - 1)
        #expect(fixture.notifier.sent.contains { $0.kind == .error && $0.subject.contains("user3") })
    }
}
