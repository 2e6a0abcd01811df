import AliasStore
import Foundation
import LaunchpadClient
import MemberSync
import Testing

@Suite("MemberSyncService: one member, every branch, with the fakes")
struct MemberSyncServiceTests {
    @Test("A team member gets <nickname>@domain on each team's domain; admins are told; a second run changes nothing")
    func provisionsAndIsIdempotent() async throws {
        let fixture = try await MemberSyncFixture()
        try fixture.addPerson("ana", teams: ["ubuntumembers", "kubuntu-members"])
        var identity = fixture.identity("ana")
        identity.nickname = "Ana"
        let report = try await fixture.service.sync(identity, with: try await fixture.map())
        #expect(report.refusal == nil)
        #expect(report.created.sorted() == ["ana@kubuntu.org", "ana@ubuntu.com"])
        #expect(try await fixture.addresses(of: "ana") == ["ana@kubuntu.org", "ana@ubuntu.com"])
        #expect(try await fixture.aliases.alias(named: "ana", domain: "ubuntu.com")?.recipients == ["ana@example.org"])
        #expect(try await fixture.aliases.domain(named: "ubuntu.com")?.role(of: "ana") == .user)
        let notices = fixture.notifier.sent
        #expect(notices.map(\.kind) == [.aliasCreated, .aliasCreated])
        #expect(notices.allSatisfy { $0.recipients == ["admin@example.org"] })
        #expect(notices.contains { $0.subject.contains("ana@ubuntu.com") && $0.body.contains("ana@example.org") })
        if case .sync = try #require(try await fixture.aliases.alias(named: "ana", domain: "ubuntu.com")).provisionedBy {} else {
            Issue.record("the alias should be provisioned by the sync")
        }

        let again = try await fixture.service.sync(identity, with: try await fixture.map())
        #expect(again.changedNothing)
        #expect(again.unchanged.sorted() == ["ana@kubuntu.org", "ana@ubuntu.com"])
        #expect(fixture.notifier.sent.count == 2)
    }

    @Test("Domains not on the team plan, unverified, or without an admin in good standing are skipped")
    func disqualifiedDomains() async throws {
        let fixture = try await MemberSyncFixture()
        _ = try await fixture.aliases.setPlan(.free, forDomain: "ubuntu.com", by: .person("root"))
        _ = try await fixture.aliases.recordVerification(domain: "kubuntu.org", verified: false, by: .person("root"))
        _ = try await fixture.aliases.removeMember("admin", fromDomain: "lubuntu.me", by: .person("root"))
        try fixture.addPerson("ben", teams: ["ubuntumembers", "kubuntu-members", "lubuntu-members", "edubuntu-members"])
        let report = try await fixture.sync("ben")
        #expect(report.created == ["ben@edubuntu.org"])
        #expect(Set(report.skipped.keys) == ["ubuntu.com", "kubuntu.org", "lubuntu.me"])
        #expect(report.skipped["kubuntu.org"]?.contains("verified") == true)

        // A banned admin does not count.
        _ = try await fixture.aliases.saveUser(User(id: "admin", email: "admin@example.org", banned: true), by: .person("root"))
        try fixture.addPerson("cy", teams: ["edubuntu-members"])
        let banned = try await fixture.sync("cy")
        #expect(banned.created.isEmpty)
        #expect(banned.skipped["edubuntu.org"]?.contains("admin") == true)
    }

    @Test("A member whose own address is the alias gets it disabled, never forwarding to itself")
    func selfAddress() async throws {
        let fixture = try await MemberSyncFixture()
        try fixture.addPerson("dee", teams: ["ubuntumembers"])
        var identity = fixture.identity("dee")
        identity.email = "dee@ubuntu.com"
        let report = try await fixture.service.sync(identity, with: try await fixture.map())
        #expect(report.created == ["dee@ubuntu.com"])
        #expect(try await fixture.addresses(of: "dee") == ["dee@ubuntu.com (disabled)"])
    }

    @Test("Non-admins stop at the alias limit; admins do not")
    func aliasLimit() async throws {
        var fixture = try await MemberSyncFixture()
        fixture.configuration.maximumAliasesPerMember = 2
        let everyTeam = DomainTeamMapping.ubuntu.distinctTeams
        try fixture.addPerson("eve", teams: everyTeam)
        let report = try await fixture.sync("eve")
        #expect(report.created.count == 2)
        #expect(report.skipped.count == 4)

        try fixture.addPerson("fay", teams: everyTeam)
        _ = try await fixture.aliases.saveUser(User(id: "fay", email: "fay@example.org"), by: .person("root"))
        for domain in DomainTeamMapping.ubuntu.domains {
            _ = try await fixture.aliases.setMember("fay", role: .admin, onDomain: domain, by: .person("root"))
        }
        let admin = try await fixture.sync("fay")
        #expect(admin.created.count == 6)
    }

    @Test("Banned users are refused and told why; nothing changes")
    func banned() async throws {
        let fixture = try await MemberSyncFixture()
        try fixture.addPerson("gus", teams: ["ubuntumembers"])
        _ = try await fixture.aliases.saveUser(User(id: "gus", email: "gus@example.org", banned: true), by: .person("root"))
        let report = try await fixture.sync("gus")
        #expect(report.refusal == .banned)
        #expect(try await fixture.addresses(of: "gus").isEmpty)
        #expect(fixture.notifier.sent.contains { $0.kind == .refusalToMember && $0.recipients == ["gus@example.org"] })
        #expect(fixture.notifier.sent.contains { $0.kind == .memberRefused && $0.recipients == ["admin@example.org"] })
    }

    @Test("Launchpad refusals: no account, invalid account, Code of Conduct not signed")
    func launchpadRefusals() async throws {
        let fixture = try await MemberSyncFixture()
        let missing = try await fixture.sync("nobody")
        #expect(missing.refusal == .accountNotFound)
        #expect(try await fixture.aliases.user(id: "nobody") == nil)

        try fixture.addPerson("hal", teams: ["ubuntumembers"], isValid: false)
        #expect(try await fixture.sync("hal").refusal == .accountNotValid)

        try fixture.addPerson("ivy", teams: ["ubuntumembers"], signedCoC: false)
        let unsigned = try await fixture.sync("ivy")
        #expect(unsigned.refusal == .codeOfConductNotSigned)
        #expect(try await fixture.addresses(of: "ivy").isEmpty)
        let toIvy = fixture.notifier.sent.filter { $0.recipients == ["ivy@example.org"] }
        #expect(toIvy.count == 1)
        #expect(toIvy.first?.body.contains("Code of Conduct") == true)
        #expect(fixture.notifier.sent.contains { $0.kind == .memberRefused && $0.subject.contains("ivy") })
    }

    @Test("An account that stops being valid loses its provisioned addresses and memberships")
    func accountInvalidated() async throws {
        let fixture = try await MemberSyncFixture()
        try fixture.addPerson("jo", teams: ["ubuntumembers", "kubuntu-members"])
        try await fixture.sync("jo")
        try fixture.launchpad.update { try $0.update("jo") { $0.isValid = false } }
        let report = try await fixture.sync("jo")
        #expect(report.refusal == .accountNotValid)
        #expect(report.removed.sorted() == ["jo@kubuntu.org", "jo@ubuntu.com"])
        #expect(try await fixture.addresses(of: "jo").isEmpty)
        #expect(try await fixture.aliases.domain(named: "ubuntu.com")?.role(of: "jo") == nil)
        #expect(fixture.notifier.sent.filter { $0.kind == .aliasRemoved }.count == 2)
    }

    @Test("Leaving a team removes the address (policy remove) or disables it (policy disable)", arguments: [
        MemberSyncService.RemovalPolicy.remove, .disable,
    ])
    func leavingTheTeam(policy: MemberSyncService.RemovalPolicy) async throws {
        var fixture = try await MemberSyncFixture()
        fixture.configuration.removalPolicy = policy
        try fixture.addPerson("kim", teams: ["ubuntumembers", "kubuntu-members"])
        try await fixture.sync("kim")
        // A hand-made alias on the same domain is not the sync's to take away.
        _ = try await fixture.aliases.createAlias(
            NewAlias(name: "kim.personal", domain: "ubuntu.com", owner: "kim", recipients: ["kim@example.org"]),
            by: .person("kim"))
        try fixture.launchpad.update { $0.removeMember("kim", from: "ubuntumembers") }
        let report = try await fixture.sync("kim")
        #expect(report.removed == ["kim@ubuntu.com"])
        #expect(report.leftDomains == ["ubuntu.com"])
        switch policy {
        case .remove:
            #expect(try await fixture.addresses(of: "kim") == ["kim.personal@ubuntu.com", "kim@kubuntu.org"])
        case .disable:
            #expect(try await fixture.addresses(of: "kim") == ["kim.personal@ubuntu.com", "kim@kubuntu.org", "kim@ubuntu.com (disabled)"])
        }
        let again = try await fixture.sync("kim")
        #expect(again.changedNothing)

        // Rejoining brings the address back.
        try fixture.launchpad.update { try $0.addMember("kim", to: "ubuntumembers") }
        let back = try await fixture.sync("kim")
        #expect(back.created == ["kim@ubuntu.com"])
    }

    @Test("Admins are never removed, even when they leave the team")
    func adminsStay() async throws {
        let fixture = try await MemberSyncFixture()
        try fixture.addPerson("olga", teams: ["ubuntumembers"])
        _ = try await fixture.aliases.saveUser(User(id: "olga", email: "olga@example.org"), by: .person("root"))
        _ = try await fixture.aliases.setMember("olga", role: .admin, onDomain: "ubuntu.com", by: .person("root"))
        try await fixture.sync("olga")
        try fixture.launchpad.update { $0.removeMember("olga", from: "ubuntumembers") }
        let report = try await fixture.sync("olga")
        #expect(report.removed.isEmpty)
        #expect(try await fixture.aliases.domain(named: "ubuntu.com")?.role(of: "olga") == .admin)
        #expect(try await fixture.addresses(of: "olga") == ["olga@ubuntu.com"])
    }

    @Test("A nickname that is a reserved name gets no address there; the sync goes on")
    func reservedNickname() async throws {
        let fixture = try await MemberSyncFixture()
        try fixture.addPerson("postmaster", teams: ["ubuntumembers"])
        let report = try await fixture.sync("postmaster")
        #expect(report.created.isEmpty)
        #expect(report.skipped["ubuntu.com"]?.contains("reserved") == true)
    }

    @Test("A map older than the user's last sync is refused")
    func staleMap() async throws {
        let fixture = try await MemberSyncFixture()
        try fixture.addPerson("lu", teams: ["ubuntumembers"])
        let old = try await fixture.map()
        let new = try await fixture.map()
        try await fixture.service.sync(fixture.identity("lu"), with: new)
        await #expect(throws: MemberSyncError.staleMembersMap) { try await fixture.service.sync(fixture.identity("lu"), with: old) }
    }

    @Test("Identities without a usable nickname, e-mail or claimed id are refused", arguments: [
        MemberIdentity(nickname: "", email: "a@example.org"),
        MemberIdentity(nickname: "a b", email: "a@example.org"),
        MemberIdentity(nickname: "-ana", email: "a@example.org"),
        MemberIdentity(nickname: "ana", email: "not-an-address"),
        MemberIdentity(nickname: "ana", email: "ana@example.org>\r\nRCPT TO:<x@y.z"),
        MemberIdentity(nickname: "ana", email: "ana@example.org", claimedID: "javascript:alert(1)"),
    ])
    func invalidIdentity(identity: MemberIdentity) async throws {
        let fixture = try await MemberSyncFixture()
        await #expect(throws: MemberSyncError.invalidIdentity) { try await fixture.service.sync(identity, with: try await fixture.map()) }
    }

    @Test("An address held by another user is left alone and reported")
    func conflictingAlias() async throws {
        let fixture = try await MemberSyncFixture()
        try fixture.addPerson("max", teams: ["ubuntumembers"])
        _ = try await fixture.aliases.saveUser(User(id: "other", email: "other@example.org"), by: .person("root"))
        _ = try await fixture.aliases.createAlias(
            NewAlias(name: "max", domain: "ubuntu.com", owner: "other", recipients: ["other@example.org"]), by: .person("admin"))
        let report = try await fixture.sync("max")
        #expect(report.created.isEmpty)
        #expect(report.problems.contains { $0.contains("belongs to other") })
        #expect(try await fixture.aliases.alias(named: "max", domain: "ubuntu.com")?.owner == "other")
    }

    @Test("A notice that cannot be sent does not undo or stop the change")
    func notifierFailure() async throws {
        let fixture = try await MemberSyncFixture()
        try fixture.addPerson("ned", teams: ["ubuntumembers"])
        fixture.notifier.failNext(1)
        let report = try await fixture.sync("ned")
        #expect(report.created == ["ned@ubuntu.com"])
        #expect(report.problems.count == 1)
    }
}
