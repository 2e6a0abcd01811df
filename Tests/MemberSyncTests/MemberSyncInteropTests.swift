import AliasStore
import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import HTTPTransport
import LaunchpadClient
import MemberSync
import OpenIDAuth
import Testing

/// The whole flow against peers nobody here wrote, over real sockets on loopback:
/// python3-openid's provider signs Ana in, a Launchpad-shaped HTTP server answers for
/// Launchpad, SQLite holds the aliases, and aiosmtpd receives the admins' notice.
@Suite(
    "MemberSync end to end against python3-openid, a Launchpad-shaped server and aiosmtpd",
    .enabled(if: TestPeers.shouldRun(PythonOpenIDPeer.isAvailable && SMTPPeer.isAvailable)))
struct MemberSyncInteropTests {
    @Test("Sign in, get the addresses, leave the team, lose the address")
    func wholeFlow() async throws {
        let folder = try TemporaryDirectory(prefix: "membersync-interop")
        let provider = try await PythonOpenIDPeer(user: "ana", nickname: "ana", email: "ana@example.org", fullName: "Ana Ng")
        let smtp = try await SMTPPeer(tls: false)

        // Launchpad: Ana is a valid Code of Conduct signer in ~ubuntumembers.
        var directory = LaunchpadDirectory()
        for team in DomainTeamMapping.ubuntu.distinctTeams { try directory.addTeam(team) }
        try directory.addPerson("ana", displayName: "Ana Ng")
        try directory.addMember("ana", to: "ubuntumembers")
        let launchpadServer = try LaunchpadShapedServer(directory: directory)
        defer { launchpadServer.stop() }
        let launchpad = try LaunchpadWebServiceClient(
            configuration: .init(serviceRoot: launchpadServer.serviceRoot), httpClient: FoundationHTTPClient())

        // Aliases: ubuntu.com on the team plan, verified, with an admin.
        let aliases = try SQLiteAliasStore(path: folder.path("aliases.sqlite"))
        _ = try await aliases.saveUser(User(id: "admin", email: "admin@example.org"), by: .person("root"))
        _ = try await aliases.createDomain("ubuntu.com", plan: .team, verificationToken: nil, by: .person("root"))
        _ = try await aliases.recordVerification(domain: "ubuntu.com", verified: true, by: .person("root"))
        _ = try await aliases.setMember("admin", role: .admin, onDomain: "ubuntu.com", by: .person("root"))

        // Sign-in through the Ubuntu One preset pointed at the python provider.
        let returnTo = URL(string: "http://127.0.0.1:9/login/callback")!
        var settings = UbuntuOne.Configuration(realm: "http://127.0.0.1:9/", returnTo: returnTo)
        settings.provider = URL(string: provider.base + "/")!
        settings.urlPolicy = .privateNetwork()   // the python provider is on loopback, over http
        let http = FoundationHTTPClient()
        let ubuntuOne = UbuntuOne(configuration: settings, httpClient: http, store: try SQLiteOpenIDStore(path: folder.path("openid.sqlite")))
        let request = try await ubuntuOne.begin()
        let callback = try await Browser.visit(request.redirectURL, with: http)
        guard case .signedIn(let signedIn) = try await ubuntuOne.complete(callbackURL: callback.url, postBody: callback.postBody) else {
            Issue.record("the sign-in did not succeed")
            return
        }
        #expect(signedIn.nickname == "ana")

        var smtpSettings = SMTPNotifier.Configuration(sender: "noreply@ubuntu.test")
        smtpSettings.port = smtp.port
        smtpSettings.tls = .never
        let notifier = DeduplicatingNotifier(
            base: SMTPNotifier(configuration: smtpSettings), log: try SQLiteNoticeLog(path: folder.path("notices.sqlite")))
        let clock = ManualClock()
        let service = MemberSyncService(
            launchpad: launchpad, aliases: aliases, notifier: notifier,
            ledger: try SQLiteSyncLedger(path: folder.path("ledger.sqlite")), clock: clock)

        let report = try await service.sync(MemberIdentity(signedIn), with: try await service.buildMembersMap())
        #expect(report.created == ["ana@ubuntu.com"])
        #expect(await aliases.resolve("Ana+lists@Ubuntu.com") == .recipients(["ana@example.org"]))
        let notices = try await smtp.deliveries()
        #expect(notices.first?.delivery.rcpt_tos == ["admin@example.org"])
        #expect(notices.first?.delivery.subject.contains("ana@ubuntu.com") == true)

        // Ana leaves the team on Launchpad; the periodic re-sync takes the address away.
        launchpadServer.update { $0.removeMember("ana", from: "ubuntumembers") }
        clock.advance(by: 3600)
        let run = try await service.syncAll()
        #expect(run.removedCount == 1)
        #expect(await aliases.resolve("ana@ubuntu.com").rejection?.reason == .noSuchAlias)
        #expect(try await smtp.deliveries(waitingFor: 2).count == 2)
    }
}
