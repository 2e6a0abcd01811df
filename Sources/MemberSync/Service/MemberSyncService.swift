public import AliasStore
public import CommunityMailSystem
import Foundation
public import LaunchpadClient

/// Gives signed-in community members `<nickname>@<domain>` on every domain whose Launchpad
/// team they belong to, and takes the addresses away when they leave.
///
/// It composes four seams and nothing else: Launchpad (``LaunchpadAPI``), the alias store
/// (``AliasStore``), a ``Notifier`` and a ``SyncLedger``; hosts pass the real ones and
/// tests the fakes. Every change is made as the ``ChangeActor/sync(_:)`` actor named in
/// the configuration, so the alias store's change log shows what the sync did.
public struct MemberSyncService: Sendable {
    /// What happens to a provisioned address when its owner leaves the team.
    public enum RemovalPolicy: String, Sendable, Hashable {
        /// Delete the alias.
        case remove
        /// Keep the alias but disable it (mail is refused with 550 5.2.1).
        case disable
    }

    /// Settings, with documented defaults.
    public struct Configuration: Sendable {
        /// Domain to owning team. Default: ``DomainTeamMapping/ubuntu``.
        public var mapping: DomainTeamMapping = .ubuntu
        /// What leaving a team does to the address. Default: `.remove`.
        public var removalPolicy: RemovalPolicy = .remove
        /// How many aliases a non-admin may own before the sync stops giving them more.
        /// Default: 10.
        public var maximumAliasesPerMember: Int = 10
        /// The name the sync signs its changes with (`sync:<name>`). Default: `member-sync`.
        public var actorName: String = "member-sync"
        /// Where errors are reported, if anywhere. Default: nil.
        public var alertsAddress: String?
        /// Whether the Code of Conduct must be signed. Default: true.
        public var requiresCodeOfConduct: Bool = true
        /// Users synced at once in a run. Default: 8.
        public var maximumConcurrentUsers: Int = 8
        /// Attempts of a whole run when a transient error aborts it. Default: 3.
        public var runAttempts: Int = 3
        /// The wait before a run is retried. Default: 30 s.
        public var runRetryDelay: Duration = .seconds(30)

        /// The defaults above.
        public init() {}
    }

    let launchpad: any LaunchpadAPI
    let aliases: any AliasStore
    let notifier: any Notifier
    let ledger: any SyncLedger
    let clock: any ServiceClock
    let configuration: Configuration
    let locks = DomainLocks()

    /// A service over the given seams.
    ///
    /// The ledger has no default: it must outlive the process (``SQLiteSyncLedger``), or a
    /// restart forgets which members map each user was synced with; tests pass
    /// ``InMemorySyncLedger``.
    public init(
        launchpad: any LaunchpadAPI, aliases: any AliasStore, notifier: any Notifier,
        ledger: any SyncLedger, clock: any ServiceClock = SystemClock(),
        configuration: Configuration = Configuration()
    ) {
        self.launchpad = launchpad
        self.aliases = aliases
        self.notifier = notifier
        self.ledger = ledger
        self.clock = clock
        self.configuration = configuration
    }

    /// The actor recorded on every change.
    var actor: ChangeActor { .sync(configuration.actorName) }

    /// Lists every mapped team's participants (people only) once, stamped with the time
    /// the listing started.
    /// - Throws: what Launchpad throws (an unknown team is `LaunchpadError.notFound`).
    public func buildMembersMap() async throws -> MembersMap {
        let builtAt = clock.now()
        let names = try await launchpad.memberNames(
            ofTeams: configuration.mapping.distinctTeams, maximumConcurrentTeams: configuration.maximumConcurrentUsers)
        return MembersMap(builtAt: builtAt, members: names)
    }
}
