// demo: the whole CommunityMail story on one machine, with no network, on embedded
// defaults. A member signs in with (a fake) Ubuntu One, is checked on (a fake) Launchpad,
// gets addresses on the domains whose DNS proves the service may handle them, receives a
// message in her encrypted mailbox, leaves a team, and loses that address on the re-sync.
//
//   swift run demo            (add --keep to leave the temporary folder for a look)
//
// Everything real runs for real: the OpenID 2.0 checks and signatures, Launchpad's JSON
// paging (served from memory), the SQLite alias database, the DNS checks (on an in-memory
// zone), the encrypted SQLite mailbox. Only the outside services are the products' fakes.
import AliasStore
import CommunityMailMessage
import CommunityMailSystem
import DNSVerify
import EncryptedMailbox
import Foundation
import LaunchpadClient
import MemberSync
import OpenIDAuth

let keep = CommandLine.arguments.contains("--keep")
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("communitymail-demo-\(UUID().uuidString.prefix(8))")
var stepNumber = 0

@MainActor func step(_ title: String) {
    stepNumber += 1
    print("\n\(stepNumber). \(title)")
}

func say(_ line: String) { print("   \(line)") }

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("demo: \(message)\n".utf8))
    exit(1)
}

do {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { if !keep { try? FileManager.default.removeItem(at: folder) } }
    print("CommunityMail demo: official addresses for a community's members (working folder \(folder.path))")

    // MARK: The community's setup
    step("The community's domains, each owned by a Launchpad team, in a SQLite alias database")
    let mapping = DomainTeamMapping.ubuntu
    let aliases = try SQLiteAliasStore(path: folder.appendingPathComponent("aliases.sqlite").path)
    let root = ChangeActor.person("root")
    _ = try await aliases.saveUser(User(id: "admin", email: "email-admins@ubuntu.test"), by: root)
    for domain in mapping.domains {
        _ = try await aliases.createDomain(domain, plan: .team, verificationToken: nil, by: root)
        _ = try await aliases.setMember("admin", role: .admin, onDomain: domain, by: root)
        say("\(domain.padding(toLength: 18, withPad: " ", startingAt: 0)) owned by ~\(mapping.team(for: domain)!)")
    }

    step("DNS proves which domains the service may handle (TXT forward-email-site-verification=<token>)")
    let dns = InMemoryDNSResolver()
    for domain in ["ubuntu.com", "lubuntu.me", "kubuntu.org"] { try dns.addZone(domain) }
    for domain in ["ubuntu.com", "lubuntu.me"] {
        let token = try await aliases.domain(named: domain)!.verificationToken
        try dns.add(domain, .txt(text: "forward-email-site-verification=\(token)"))
    }
    // kubuntu.org's owner published a stale token.
    try dns.add("kubuntu.org", .txt(text: "forward-email-site-verification=an-old-token"))
    let verifier = DomainVerifier(resolver: dns)
    for domain in ["ubuntu.com", "lubuntu.me", "kubuntu.org"] {
        let token = try await aliases.domain(named: domain)!.verificationToken
        let check = await verifier.checkVerification(domain: try DNSName(domain), token: token)
        _ = try await aliases.recordVerification(domain: domain, verified: check.status == .pass, by: root)
        say("\(domain): \(check.status.rawValue) - \(check.message)")
    }

    step("Launchpad knows the people and the teams (LaunchpadClient's in-memory fake, same JSON pages as the real API)")
    let launchpad = try InMemoryLaunchpad()
    try launchpad.update { directory in
        for team in mapping.distinctTeams { try directory.addTeam(team) }
        try directory.addPerson("ana", displayName: "Ana Ng")
        try directory.addMember("ana", to: "ubuntumembers")
        try directory.addMember("ana", to: "lubuntu-members")
        try directory.addMember("ana", to: "kubuntu-members")
        try directory.addPerson("bob", displayName: "Bob Roe", isUbuntuCoCSigner: false)
        try directory.addMember("bob", to: "ubuntumembers")
    }
    say("ana: valid, signed the Code of Conduct, in ~ubuntumembers, ~lubuntu-members, ~kubuntu-members")
    say("bob: valid, has NOT signed the Code of Conduct, in ~ubuntumembers")

    // MARK: Sign-in
    step("Ana signs in with Ubuntu One (OpenID 2.0; OpenIDAuth's fake provider answers as login.ubuntu.com)")
    var providerSettings = FakeOpenIDProvider.Configuration()
    providerSettings.opIdentifier = UbuntuOne.production
    providerSettings.endpoint = URL(string: "https://login.ubuntu.com/+openid")!
    let provider = FakeOpenIDProvider(configuration: providerSettings)
    await provider.addIdentity(.init(
        claimedIdentifier: "https://login.ubuntu.com/+id/Ana7Xq2", nickname: "ana", email: "ana@example.org",
        fullName: "Ana Ng", teams: ["ubuntumembers"]))
    var signInSettings = UbuntuOne.Configuration(
        realm: "https://mail.ubuntu.test/", returnTo: URL(string: "https://mail.ubuntu.test/login/callback")!)
    // The fake answers in-process; its host names resolve through a fixed table, never DNS.
    signInSettings.urlPolicy = OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic)
    let ubuntuOne = UbuntuOne(
        configuration: signInSettings,
        httpClient: provider.httpClient(), store: try SQLiteOpenIDStore(path: folder.appendingPathComponent("openid.sqlite").path))
    let request = try await ubuntuOne.begin()
    say("browser sent to \(request.redirectURL.host ?? "?")\(request.redirectURL.path) (identifier_select, SREG nickname+email, PAPE)")
    let callback = try await provider.positiveAssertion(for: request.redirectURL, as: "https://login.ubuntu.com/+id/Ana7Xq2")
    guard case .signedIn(let identity) = try await ubuntuOne.complete(callbackURL: callback) else { fail("the sign-in failed") }
    say("verified: return_to, nonce, discovery of the claimed id, association signature (HMAC-SHA256)")
    say("identity: \(identity.nickname) <\(identity.email)>, \(identity.fullName ?? "-"), \(identity.claimedIdentifier)")
    do {
        _ = try await ubuntuOne.complete(callbackURL: callback)
        fail("a replayed assertion was accepted")
    } catch {
        say("the same assertion replayed: refused (\(error))")
    }

    // MARK: Provisioning
    step("MemberSync checks Ana on Launchpad and provisions her addresses")
    let notifications = RecordingNotifier()
    let clock = ManualClock(start: Date())
    let sync = MemberSyncService(
        launchpad: launchpad, aliases: aliases,
        notifier: DeduplicatingNotifier(
            base: notifications, log: try SQLiteNoticeLog(path: folder.appendingPathComponent("notices.sqlite").path), clock: clock),
        ledger: try SQLiteSyncLedger(path: folder.appendingPathComponent("ledger.sqlite").path), clock: clock)
    let map = try await sync.buildMembersMap()
    let anaReport = try await sync.sync(MemberIdentity(identity), with: map)
    for address in anaReport.created { say("created \(address) -> \(identity.email)") }
    for (domain, reason) in anaReport.skipped.sorted(by: { $0.key < $1.key }) { say("no address on \(domain): \(reason)") }
    for notice in notifications.sent { say("notice to \(notice.recipients.joined(separator: ", ")): \(notice.subject)") }

    step("Bob signs in too, but has not signed the Code of Conduct")
    let bobReport = try await sync.sync(
        MemberIdentity(nickname: "bob", email: "bob@example.org", claimedID: "https://login.ubuntu.com/+id/Bob4Lm9"), with: map)
    say("refused: \(bobReport.refusal?.explanation ?? "-")")
    for notice in notifications.sent.dropFirst(anaReport.created.count) {
        say("notice to \(notice.recipients.joined(separator: ", ")): \(notice.subject)")
    }

    // MARK: Mail
    step("A message arrives for Ana+Lists@Ubuntu.com")
    let resolution = await aliases.resolve("Ana+Lists@Ubuntu.com")
    guard let recipients = resolution.recipients else { fail("the alias did not resolve: \(resolution)") }
    say("AliasStore resolves it (case-insensitive, +tag falls back to the alias): forward to \(recipients.joined(separator: ", "))")
    let message = Array("""
        From: Ubuntu Community Council <council@ubuntu.test>\r
        To: ana+lists@ubuntu.com\r
        Subject: =?utf-8?B?V2VsY29tZSwgQW5hIOKAlCB5b3VyIEB1YnVudHUuY29tIGFkZHJlc3M=?=\r
        Date: Sat, 28 Nov 2026 12:00:00 +0000\r
        Message-ID: <welcome-ana@ubuntu.test>\r
        \r
        Your official address is ready. The secret word is marmalade.\r

        """.utf8)
    let mailboxes = try MailboxStore(directory: folder.appendingPathComponent("mailboxes"))
    let mailbox = try mailboxes.create(userID: identity.nickname, passphrase: "ana's own passphrase")
    let appended = try await mailbox.append(message, to: "INBOX")
    let found = try await mailbox.search(try SearchQuery(parsing: "body:marmalade"), in: "INBOX")
    let fetched = try await mailbox.fetch(UIDSet(found), in: "INBOX", content: .metadata)
    say("stored in Ana's encrypted mailbox as UID \(appended.uid); a body search finds it: \"\(fetched.first?.envelope.subject ?? "?")\"")
    await mailbox.close()
    var plaintextFound = false
    for name in try FileManager.default.contentsOfDirectory(atPath: mailboxes.directory.path) {
        let bytes = try Data(contentsOf: mailboxes.directory.appendingPathComponent(name))
        if bytes.range(of: Data("marmalade".utf8)) != nil { plaintextFound = true }
    }
    say("on disk: one file per user, named by a keyed hash; \"marmalade\" appears in no file: \(!plaintextFound)")
    do {
        _ = try mailboxes.open(userID: "ana", passphrase: "bob guessing")
        fail("a wrong passphrase opened the mailbox")
    } catch {
        say("another passphrase opens nothing: \(error)")
    }

    // MARK: Leaving
    step("Ana leaves ~ubuntumembers on Launchpad; the periodic re-sync takes the address away")
    try launchpad.update { $0.removeMember("ana", from: "ubuntumembers") }
    clock.advance(by: 3600)
    let before = notifications.sent.count
    let run = try await sync.syncAll()
    say("run: \(run.summary)")
    for notice in notifications.sent.dropFirst(before) { say("notice to \(notice.recipients.joined(separator: ", ")): \(notice.subject)") }
    let after = await aliases.resolve("ana@ubuntu.com")
    if let rejection = after.rejection {
        say("mail to ana@ubuntu.com is now refused: \(rejection.reply)")
    }
    say("ana@lubuntu.me still forwards to \(await aliases.resolve("ana@lubuntu.me").recipients?.joined(separator: ", ") ?? "-")")

    step("The alias database's change log shows who did what")
    for entry in try await aliases.changes(after: 0, limit: 1000).filter({ $0.actor == .sync("member-sync") }) {
        say("\(entry.action.rawValue) \(entry.entity.rawValue) \(entry.key): \(entry.detail)")
    }
    print("\nDone. \(keep ? "The working folder is kept: \(folder.path)" : "The working folder was removed (use --keep to look at it).")")
} catch {
    fail("\(error)")
}
