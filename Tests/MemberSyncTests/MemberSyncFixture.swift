import AliasStore
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import LaunchpadClient
import MemberSync

/// Ubuntu's six domains on the team plan, verified, each administered by `admin`, with
/// the fakes behind a `MemberSyncService`.
struct MemberSyncFixture {
    let launchpad: InMemoryLaunchpad
    let aliases: any AliasStore
    let notifier = RecordingNotifier()
    let ledger = InMemorySyncLedger()
    let clock = ManualClock()
    var configuration = MemberSyncService.Configuration()

    /// Keeps a SQLite store's folder alive as long as the fixture.
    let folder: TemporaryDirectory?

    static let admin = User(id: "admin", email: "admin@example.org")

    init(aliases: any AliasStore = InMemoryAliasStore(), folder: TemporaryDirectory? = nil) async throws {
        self.aliases = aliases
        self.folder = folder
        launchpad = try InMemoryLaunchpad()
        try launchpad.update { directory in
            for team in DomainTeamMapping.ubuntu.distinctTeams { try directory.addTeam(team) }
        }
        _ = try await aliases.saveUser(Self.admin, by: .person("root"))
        for domain in DomainTeamMapping.ubuntu.domains {
            _ = try await aliases.createDomain(domain, plan: .team, verificationToken: nil, by: .person("root"))
            _ = try await aliases.recordVerification(domain: domain, verified: true, by: .person("root"))
            _ = try await aliases.setMember("admin", role: .admin, onDomain: domain, by: .person("root"))
        }
        configuration.runRetryDelay = .zero
    }

    /// The fixture over a fresh store of `kind`.
    init(_ kind: AliasStoreKind) async throws {
        switch kind {
        case .memory:
            try await self.init()
        case .sqlite:
            let folder = try TemporaryDirectory(prefix: "membersync-test")
            try await self.init(aliases: try SQLiteAliasStore(path: folder.path("aliases.sqlite")), folder: folder)
        }
    }

    var service: MemberSyncService { service() }

    /// The fixture's service, with another Launchpad or alias store in place of its own.
    func service(launchpad: (any LaunchpadAPI)? = nil, aliases: (any AliasStore)? = nil) -> MemberSyncService {
        MemberSyncService(
            launchpad: launchpad ?? self.launchpad, aliases: aliases ?? self.aliases, notifier: notifier, ledger: ledger,
            clock: clock, configuration: configuration)
    }

    /// Adds a Launchpad person and puts them in `teams`.
    func addPerson(_ name: String, teams: [String], isValid: Bool = true, signedCoC: Bool = true) throws {
        try launchpad.update { directory in
            try directory.addPerson(name, isValid: isValid, isUbuntuCoCSigner: signedCoC)
            for team in teams { try directory.addMember(name, to: team) }
        }
    }

    func identity(_ name: String) -> MemberIdentity {
        MemberIdentity(
            nickname: name, email: "\(name)@example.org", claimedID: "https://login.ubuntu.com/+id/\(name)abc",
            fullName: name.capitalized)
    }

    /// A fresh map, a second later than the last.
    func map() async throws -> MembersMap {
        clock.advance(by: 1)
        return try await service.buildMembersMap()
    }

    /// Syncs `name` (signed in as ``identity(_:)``) against a fresh map.
    @discardableResult
    func sync(_ name: String) async throws -> UserSyncReport {
        try await service.sync(identity(name), with: try await map())
    }

    func addresses(of user: String) async throws -> [String] {
        try await aliases.aliases(owner: user).map { "\($0.name)@\($0.domain)\($0.enabled ? "" : " (disabled)")" }.sorted()
    }
}

/// The two stores the identity tests run on: what the sync promises must hold on both.
enum AliasStoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite = "SQLite", memory = "in-memory"

    var description: String { rawValue }
}
