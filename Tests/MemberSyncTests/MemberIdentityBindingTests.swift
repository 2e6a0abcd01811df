import AliasStore
import CommunityMailSystem
import Foundation
import LaunchpadClient
import MemberSync
import Testing

/// Launchpad names can be renamed and later taken by someone else; the OpenID claimed
/// identifier stays with the person. These tests pin what the sync does with both.
@Suite("MemberSyncService: user records follow the OpenID claimed identifier, not the nickname")
struct MemberIdentityBindingTests {
    static let anasAccount = "https://login.ubuntu.com/+id/Ana7Xq2"
    static let newcomersAccount = "https://login.ubuntu.com/+id/New9Kp4"

    func signIn(_ nickname: String, account: String?, email: String) -> MemberIdentity {
        MemberIdentity(nickname: nickname, email: email, claimedID: account)
    }

    /// Ana signs in, gets her team addresses, and has a hand-made address and an admin role.
    func anaWithHistory(_ fixture: MemberSyncFixture) async throws {
        try fixture.addPerson("ana", teams: ["ubuntumembers", "kubuntu-members"])
        try await fixture.service.sync(signIn("ana", account: Self.anasAccount, email: "ana@example.org"), with: try await fixture.map())
        _ = try await fixture.aliases.createAlias(
            NewAlias(name: "ana.ng", domain: "ubuntu.com", owner: "ana", recipients: ["ana@example.org"]), by: .person("ana"))
        _ = try await fixture.aliases.setMember("ana", role: .admin, onDomain: "edubuntu.org", by: .person("root"))
        #expect(try await fixture.aliases.user(id: "ana")?.claimedIdentifier == Self.anasAccount)
    }

    @Test("A nickname whose record belongs to another claimed identifier is refused; nothing changes; the admins are told", arguments: AliasStoreKind.allCases)
    func reusedNicknameIsRefused(store: AliasStoreKind) async throws {
        var fixture = try await MemberSyncFixture(store)
        fixture.configuration.alertsAddress = "alerts@example.org"
        try await anaWithHistory(fixture)
        let before = try await fixture.aliases.snapshot()
        let sentBefore = fixture.notifier.sent.count

        // Someone else now holds the Launchpad name `ana` and signs in with it.
        let newcomer = signIn("ana", account: Self.newcomersAccount, email: "someone@else.example")
        await #expect(throws: MemberSyncError.identityMismatch) { try await fixture.service.sync(newcomer, with: try await fixture.map()) }
        // A sign-in that brings no claimed identifier at all is not a sign-in.
        let anonymous = signIn("ana", account: nil, email: "someone@else.example")
        await #expect(throws: MemberSyncError.invalidIdentity) { try await fixture.service.sync(anonymous, with: try await fixture.map()) }

        let after = try await fixture.aliases.snapshot()
        #expect(after.users == before.users)
        #expect(after.aliases == before.aliases)
        #expect(after.domains == before.domains)
        #expect(await fixture.aliases.resolve("ana@ubuntu.com") == .recipients(["ana@example.org"]))
        let notices = fixture.notifier.sent.dropFirst(sentBefore)
        #expect(notices.map(\.kind) == [.identityConflict])
        // The domains' admins (Ana administers edubuntu.org herself) and the alerts address.
        #expect(notices.first?.recipients == ["admin@example.org", "alerts@example.org", "ana@example.org"])
        #expect(notices.first?.body.contains(Self.newcomersAccount) == false)
    }

    @Test(
        "A Launchpad rename moves the person's record: the old name's sync addresses go, the new name's come, hand-made addresses and roles follow",
        arguments: AliasStoreKind.allCases, [MemberSyncService.RemovalPolicy.remove, .disable])
    func renameMovesTheUser(store: AliasStoreKind, policy: MemberSyncService.RemovalPolicy) async throws {
        var fixture = try await MemberSyncFixture(store)
        fixture.configuration.removalPolicy = policy
        try await anaWithHistory(fixture)
        try fixture.addPerson("anna", teams: ["ubuntumembers", "kubuntu-members"])

        // Same Ubuntu One account, new Launchpad name.
        let report = try await fixture.service.sync(
            signIn("anna", account: Self.anasAccount, email: "ana@example.org"), with: try await fixture.map())
        #expect(report.renamedFrom == "ana")
        #expect(report.removed.sorted() == ["ana@kubuntu.org", "ana@ubuntu.com"])
        #expect(report.created.sorted() == ["anna@kubuntu.org", "anna@ubuntu.com"])
        #expect(report.moved == ["ana.ng@ubuntu.com"])
        #expect(try await fixture.aliases.user(id: "ana") == nil)
        #expect(try await fixture.aliases.user(id: "anna")?.claimedIdentifier == Self.anasAccount)
        #expect(try await fixture.addresses(of: "anna") == ["ana.ng@ubuntu.com", "anna@kubuntu.org", "anna@ubuntu.com"])
        #expect(try await fixture.aliases.domain(named: "edubuntu.org")?.role(of: "anna") == .admin)
        #expect(try await fixture.aliases.domain(named: "ubuntu.com")?.role(of: "anna") == .user)
        for domain in try await fixture.aliases.domains() { #expect(domain.role(of: "ana") == nil, "\(domain.name)") }
        #expect(await fixture.aliases.resolve("ana@ubuntu.com").rejection?.reason == .noSuchAlias)
        #expect(fixture.notifier.sent.filter { $0.kind == .aliasRemoved }.count == 2)

        // A newcomer who takes the name `ana` starts from nothing.
        let newcomer = try await fixture.service.sync(
            signIn("ana", account: Self.newcomersAccount, email: "newcomer@example.net"), with: try await fixture.map())
        #expect(newcomer.renamedFrom == nil)
        #expect(newcomer.created.sorted() == ["ana@kubuntu.org", "ana@ubuntu.com"])
        #expect(try await fixture.addresses(of: "ana") == ["ana@kubuntu.org", "ana@ubuntu.com"])
        #expect(await fixture.aliases.resolve("ana@ubuntu.com") == .recipients(["newcomer@example.net"]))
        #expect(try await fixture.aliases.domain(named: "edubuntu.org")?.role(of: "ana") == nil)
        #expect(try await fixture.aliases.user(id: "ana")?.claimedIdentifier == Self.newcomersAccount)

        // Signing in again changes nothing for either.
        #expect(try await fixture.service.sync(
            signIn("anna", account: Self.anasAccount, email: "ana@example.org"), with: try await fixture.map()).changedNothing)
    }

    @Test("The re-sync finds a renamed account gone; the old name stays refused to a newcomer until its owner signs in again", arguments: AliasStoreKind.allCases)
    func renameSeenByTheResync(store: AliasStoreKind) async throws {
        let fixture = try await MemberSyncFixture(store)
        try await anaWithHistory(fixture)

        // Launchpad after the rename: `ana` is gone (404), `anna` is in the same teams.
        let renamed = try InMemoryLaunchpad()
        try renamed.update { directory in
            for team in DomainTeamMapping.ubuntu.distinctTeams { try directory.addTeam(team) }
            try directory.addPerson("anna")
            try directory.addMember("anna", to: "ubuntumembers")
            try directory.addMember("anna", to: "kubuntu-members")
        }
        let service = fixture.service(launchpad: renamed)
        fixture.clock.advance(by: 60)
        let run = try await service.syncAll()
        #expect(run.users["ana"]?.refusal == .accountNotFound)
        #expect(try await fixture.addresses(of: "ana") == ["ana.ng@ubuntu.com"])
        #expect(try await fixture.aliases.user(id: "ana")?.claimedIdentifier == Self.anasAccount)

        // Someone takes `ana` on Launchpad before Ana signs in again: refused.
        try renamed.update { try $0.addPerson("ana") }
        fixture.clock.advance(by: 1)
        await #expect(throws: MemberSyncError.identityMismatch) {
            try await service.sync(
                signIn("ana", account: Self.newcomersAccount, email: "newcomer@example.net"), with: try await service.buildMembersMap())
        }
        #expect(try await fixture.addresses(of: "ana") == ["ana.ng@ubuntu.com"])

        // Ana signs in as anna: her record moves, and the name is free.
        fixture.clock.advance(by: 1)
        let moved = try await service.sync(
            signIn("anna", account: Self.anasAccount, email: "ana@example.org"), with: try await service.buildMembersMap())
        #expect(moved.renamedFrom == "ana")
        #expect(try await fixture.addresses(of: "anna") == ["ana.ng@ubuntu.com", "anna@kubuntu.org", "anna@ubuntu.com"])
        #expect(try await fixture.aliases.user(id: "ana") == nil)
    }

    @Test("The re-sync notices another Launchpad account holding a stored user's name, and gives the stored user nothing of it", arguments: AliasStoreKind.allCases)
    func resyncNoticesAReusedName(store: AliasStoreKind) async throws {
        let fixture = try await MemberSyncFixture(store)
        try await anaWithHistory(fixture)

        // Launchpad after Ana's rename: someone else's account (created later) now holds
        // `ana`, in one more team than Ana was.
        let reused = try InMemoryLaunchpad()
        try reused.update { directory in
            for team in DomainTeamMapping.ubuntu.distinctTeams { try directory.addTeam(team) }
            try directory.add(LaunchpadDirectory.Account(name: "ana", dateCreated: Date(timeIntervalSince1970: 1_700_000_000)))
            for team in ["ubuntumembers", "kubuntu-members", "lubuntu-members"] { try directory.addMember("ana", to: team) }
        }
        let service = fixture.service(launchpad: reused)
        fixture.clock.advance(by: 60)
        let run = try await service.syncAll()
        #expect(run.users["ana"]?.refusal == .accountReplaced)
        #expect(run.users["ana"]?.created == [])
        #expect(run.users["ana"]?.removed.sorted() == ["ana@kubuntu.org", "ana@ubuntu.com"])
        #expect(try await fixture.addresses(of: "ana") == ["ana.ng@ubuntu.com"])
        #expect(try await fixture.aliases.alias(named: "ana", domain: "lubuntu.me") == nil)
    }

    @Test("A re-sync that listed the old name before a rename signed in neither re-creates it nor moves the person back", arguments: AliasStoreKind.allCases)
    func resyncRacingARename(store: AliasStoreKind) async throws {
        let fixture = try await MemberSyncFixture(store)
        try await anaWithHistory(fixture)
        let listedBeforeTheRename = try await fixture.aliases.users()
        try fixture.addPerson("anna", teams: ["ubuntumembers", "kubuntu-members"])
        try await fixture.service.sync(signIn("anna", account: Self.anasAccount, email: "ana@example.org"), with: try await fixture.map())
        let after = try await fixture.aliases.snapshot()

        let stale = fixture.service(aliases: ObservedAliasStore(fixture.aliases, listedUsers: listedBeforeTheRename))
        fixture.clock.advance(by: 60)
        let run = try await stale.syncAll()
        #expect(run.errors.isEmpty)
        #expect(run.users["ana"]?.changedNothing == true)
        #expect(try await fixture.aliases.user(id: "ana") == nil)
        #expect(try await fixture.aliases.user(claimedIdentifier: Self.anasAccount)?.id == "anna")
        #expect(try await fixture.aliases.snapshot().aliases == after.aliases)
    }

    @Test("A ban follows the person to a new name", arguments: AliasStoreKind.allCases)
    func banFollowsRename(store: AliasStoreKind) async throws {
        let fixture = try await MemberSyncFixture(store)
        try await anaWithHistory(fixture)
        var banned = try #require(try await fixture.aliases.user(id: "ana"))
        banned.banned = true
        _ = try await fixture.aliases.saveUser(banned, by: .person("root"))
        try fixture.addPerson("anna", teams: ["ubuntumembers"])
        let report = try await fixture.service.sync(
            signIn("anna", account: Self.anasAccount, email: "ana@example.org"), with: try await fixture.map())
        #expect(report.refusal == .banned)
        #expect(report.created.isEmpty)
        #expect(try await fixture.aliases.user(id: "anna") == nil)
        #expect(try await fixture.aliases.user(id: "ana")?.banned == true)
    }

    @Test("A record stored without a claimed identifier gets the first sign-in's, and the re-sync keeps it", arguments: AliasStoreKind.allCases)
    func firstSignInBindsTheIdentifier(store: AliasStoreKind) async throws {
        let fixture = try await MemberSyncFixture(store)
        try fixture.addPerson("bo", teams: ["ubuntumembers"])
        _ = try await fixture.aliases.saveUser(User(id: "bo", email: "bo@example.org"), by: .person("root"))
        let account = "https://login.ubuntu.com/+id/Bo3Rt8w"
        try await fixture.service.sync(signIn("bo", account: account, email: "bo@example.org"), with: try await fixture.map())
        #expect(try await fixture.aliases.user(id: "bo")?.claimedIdentifier == account)
        fixture.clock.advance(by: 60)
        let run = try await fixture.service.syncAll()
        #expect(run.errors.isEmpty)
        #expect(try await fixture.aliases.user(id: "bo")?.claimedIdentifier == account)
    }

    @Test("Saving a user again without the claimed identifier (an admin's edit) keeps it: a newcomer under the name is still refused", arguments: AliasStoreKind.allCases)
    func adminEditKeepsTheBinding(store: AliasStoreKind) async throws {
        let fixture = try await MemberSyncFixture(store)
        try await anaWithHistory(fixture)
        _ = try await fixture.aliases.saveUser(User(id: "ana", email: "ana@example.org", locale: "pt-BR"), by: .person("root"))
        #expect(try await fixture.aliases.user(id: "ana")?.claimedIdentifier == Self.anasAccount)
        await #expect(throws: MemberSyncError.identityMismatch) {
            try await fixture.service.sync(signIn("ana", account: Self.newcomersAccount, email: "someone@else.example"), with: try await fixture.map())
        }
        #expect(try await fixture.aliases.user(id: "ana")?.claimedIdentifier == Self.anasAccount)
    }

    @Test("A record without a claimed identifier is not bound by a sign-in when the ledger saw another Launchpad account hold the name", arguments: AliasStoreKind.allCases)
    func unboundRecordOfAnotherAccountIsRefused(store: AliasStoreKind) async throws {
        var fixture = try await MemberSyncFixture(store)
        fixture.configuration.alertsAddress = "alerts@example.org"
        try fixture.addPerson("bo", teams: ["ubuntumembers"])
        _ = try await fixture.aliases.saveUser(User(id: "bo", email: "bo@example.org"), by: .person("root"))
        _ = try await fixture.aliases.createAlias(
            NewAlias(name: "bo.old", domain: "ubuntu.com", owner: "bo", recipients: ["bo@example.org"]), by: .person("root"))
        // The ledger knew `bo` as an account created long before the one holding it now.
        try await fixture.ledger.recordLaunchpadAccountCreated(Date(timeIntervalSince1970: 1_000_000_000), of: "bo")
        let before = try await fixture.aliases.snapshot()
        let sentBefore = fixture.notifier.sent.count

        await #expect(throws: MemberSyncError.identityMismatch) {
            try await fixture.service.sync(signIn("bo", account: Self.newcomersAccount, email: "newcomer@example.net"), with: try await fixture.map())
        }
        #expect(try await fixture.aliases.user(claimedIdentifier: Self.newcomersAccount) == nil)
        // A rename onto the unbound record's name is refused the same way, and nothing moves.
        try await anaWithHistory(fixture)
        let withAna = try await fixture.aliases.snapshot()
        await #expect(throws: MemberSyncError.identityMismatch) {
            try await fixture.service.sync(signIn("bo", account: Self.anasAccount, email: "ana@example.org"), with: try await fixture.map())
        }
        #expect(try await fixture.aliases.user(claimedIdentifier: Self.anasAccount)?.id == "ana")
        #expect(try await fixture.aliases.snapshot().users == withAna.users)
        #expect(try await fixture.aliases.snapshot().aliases == withAna.aliases)
        #expect(before.users.first { $0.id == "bo" } == withAna.users.first { $0.id == "bo" })
        #expect(fixture.notifier.sent.dropFirst(sentBefore).filter { $0.kind == .identityConflict }.count == 2)
    }

    @Test(
        "A rename interrupted by a Launchpad or ledger error leaves the old or the new record bound, never neither; the next sign-in finishes it",
        arguments: AliasStoreKind.allCases, [FailingPoint.launchpad, .ledger])
    func interruptedRenameStaysBound(store: AliasStoreKind, failing: FailingPoint) async throws {
        let fixture = try await MemberSyncFixture(store)
        try await anaWithHistory(fixture)
        try fixture.addPerson("anna", teams: ["ubuntumembers", "kubuntu-members"])
        let broken = MemberSyncService(
            launchpad: FailingLaunchpad(fixture.launchpad, failing: failing == .launchpad ? "anna" : nil),
            aliases: fixture.aliases, notifier: fixture.notifier,
            ledger: FailingLedger(fixture.ledger, failing: failing == .ledger ? "anna" : nil), clock: fixture.clock,
            configuration: fixture.configuration)
        await #expect(throws: InjectedFailure.self) {
            try await broken.sync(signIn("anna", account: Self.anasAccount, email: "ana@example.org"), with: try await fixture.map())
        }
        let holder = try #require(try await fixture.aliases.user(claimedIdentifier: Self.anasAccount))
        #expect(try await fixture.aliases.users().filter { $0.claimedIdentifier == nil }.map(\.id) == ["admin"])
        #expect(try await fixture.aliases.alias(named: "ana.ng", domain: "ubuntu.com")?.owner == holder.id)
        #expect(holder.id == (failing == .launchpad ? "ana" : "anna"))

        let report = try await fixture.service.sync(signIn("anna", account: Self.anasAccount, email: "ana@example.org"), with: try await fixture.map())
        #expect(report.refusal == nil)
        #expect(try await fixture.aliases.user(id: "ana") == nil)
        #expect(try await fixture.addresses(of: "anna") == ["ana.ng@ubuntu.com", "anna@kubuntu.org", "anna@ubuntu.com"])
        #expect(try await fixture.aliases.domain(named: "edubuntu.org")?.role(of: "anna") == .admin)
    }

    @Test("The sync accepts exactly the claimed identifiers the store accepts")
    func oneClaimedIdentifierRule() async throws {
        let samples = [
            Self.anasAccount, "http://login.example/+id/x", "urn:openid:ana", "https:///+id/NoHost", "https://login.example/+id/with space",
            "mailto:ana@example.org", "", "https://login.example/" + String(repeating: "x", count: 2048), "HTTPS://LOGIN.EXAMPLE/+id/UP",
        ]
        for sample in samples {
            let store = InMemoryAliasStore()
            let stored = (try? await store.saveUser(User(id: "ana", email: "ana@example.org", claimedIdentifier: sample), by: .person("root"))) != nil
            let signedIn = (try? signIn("ana", account: sample, email: "ana@example.org").validate()) != nil
            #expect(stored == signedIn, "\(sample.prefix(40))")
            #expect(stored == User.isValidClaimedIdentifier(sample), "\(sample.prefix(40))")
        }
    }
}

enum FailingPoint: String, Sendable, CustomStringConvertible {
    case launchpad, ledger
    var description: String { rawValue }
}

struct InjectedFailure: Error {}

/// Launchpad with one name whose look-up fails as a transient error would.
struct FailingLaunchpad: LaunchpadAPI {
    let base: any LaunchpadAPI
    let failing: String?

    init(_ base: any LaunchpadAPI, failing: String?) {
        self.base = base
        self.failing = failing
    }

    func person(named name: String) async throws -> LaunchpadPerson {
        if name == failing { throw InjectedFailure() }
        return try await base.person(named: name)
    }
    func members(of team: String) -> LaunchpadCollection<LaunchpadPerson> { base.members(of: team) }
    func participants(of team: String) -> LaunchpadCollection<LaunchpadPerson> { base.participants(of: team) }
    func membershipDetails(of team: String) -> LaunchpadCollection<LaunchpadTeamMembership> { base.membershipDetails(of: team) }
}

/// A ledger whose writes about one user fail.
struct FailingLedger: SyncLedger {
    let base: any SyncLedger
    let failing: String?

    init(_ base: any SyncLedger, failing: String?) {
        self.base = base
        self.failing = failing
    }

    func lastSync(of userID: String) async throws -> Date? { try await base.lastSync(of: userID) }
    func recordSync(of userID: String, mapBuiltAt: Date) async throws {
        if userID == failing { throw InjectedFailure() }
        try await base.recordSync(of: userID, mapBuiltAt: mapBuiltAt)
    }
    func launchpadAccountCreated(of userID: String) async throws -> Date? { try await base.launchpadAccountCreated(of: userID) }
    func recordLaunchpadAccountCreated(_ date: Date, of userID: String) async throws {
        if userID == failing { throw InjectedFailure() }
        try await base.recordLaunchpadAccountCreated(date, of: userID)
    }
}
