// sync-members: give Launchpad team members their addresses, or re-sync everyone.
//
//   sync-members <aliases.sqlite> --user NICK --email ADDRESS --claimed-id URL [options]
//                                                                         one member (after a sign-in)
//   sync-members <aliases.sqlite> --all [options]                         every member (the periodic run)
//
// options: --api-root URL          Launchpad service root (default production)
//          --state DIR              where the sync ledger and notice log live (default: beside the database)
//          --policy remove|disable  what leaving a team does to the address (default remove)
//          --smtp HOST:PORT --sender ADDRESS [--tls auto|required|never] [--tls-name NAME] [--ca FILE] [--alerts ADDRESS]
//                                   send notices through an SMTP relay (default: print them); `auto` (default):
//                                   plaintext to a loopback relay, STARTTLS with a verified certificate elsewhere
//          --json                   print the report as JSON
//
// The domains, their plans, verification and admins come from the alias database (see
// `aliases`); the domain-to-team map is Ubuntu's.
import AliasStore
import Foundation
import HTTPTransport
import LaunchpadClient
import MemberSync

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("sync-members: \(message)\n".utf8))
    exit(code)
}

let usage = """
    usage: sync-members <aliases.sqlite> (--user NICK --email ADDRESS --claimed-id URL | --all) [--api-root URL] [--state DIR]
                        [--policy remove|disable] [--smtp HOST:PORT --sender ADDRESS [--tls auto|required|never] [--tls-name NAME]
                        [--ca FILE] [--alerts ADDRESS]] [--json]
    """

struct Options {
    var database: String?
    var user: String?
    var email: String?
    var claimedID: String?
    var all = false
    var apiRoot = LaunchpadServiceRoot.production
    var state: String?
    var policy = MemberSyncService.RemovalPolicy.remove
    var smtp: (host: String, port: UInt16)?
    var sender: String?
    var tls = SMTPNotifier.TLSPolicy.automatic
    var tlsName: String?
    var certificateAuthorities: String?
    var alerts: String?
    var json = false
}

func parse(_ arguments: [String]) -> Options {
    var options = Options()
    var iterator = arguments.makeIterator()
    func value(_ flag: String) -> String {
        guard let value = iterator.next() else { fail("\(flag) needs a value\n\(usage)") }
        return value
    }
    while let argument = iterator.next() {
        switch argument {
        case "--user": options.user = value(argument)
        case "--email": options.email = value(argument)
        case "--all": options.all = true
        case "--api-root":
            do { options.apiRoot = try LaunchpadServiceRoot(string: value(argument)) } catch { fail("\(error)") }
        case "--state": options.state = value(argument)
        case "--policy":
            guard let policy = MemberSyncService.RemovalPolicy(rawValue: value(argument)) else { fail("--policy is remove or disable") }
            options.policy = policy
        case "--smtp":
            let text = value(argument)
            guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
                fail("--smtp needs HOST:PORT")
            }
            options.smtp = (String(text[..<colon]), port)
        case "--sender": options.sender = value(argument)
        case "--tls":
            switch value(argument) {
            case "auto": options.tls = .automatic
            case "required": options.tls = .required
            case "never": options.tls = .never
            default: fail("--tls is auto, required or never")
            }
        case "--tls-name": options.tlsName = value(argument)
        case "--ca": options.certificateAuthorities = value(argument)
        case "--claimed-id": options.claimedID = value(argument)
        case "--alerts": options.alerts = value(argument)
        case "--json": options.json = true
        case "--help", "-h":
            print(usage)
            exit(0)
        default:
            guard !argument.hasPrefix("--"), options.database == nil else { fail("unexpected \(argument)\n\(usage)") }
            options.database = argument
        }
    }
    guard options.database != nil else { fail(usage) }
    guard options.all != (options.user != nil) else { fail("give either --user (with --email and --claimed-id) or --all\n\(usage)") }
    if options.user != nil && (options.email == nil || options.claimedID == nil) { fail("--user needs --email and --claimed-id") }
    if options.smtp != nil && options.sender == nil { fail("--smtp needs --sender") }
    return options
}

/// Without a relay, notices are printed: an admin running the CLI reads them.
struct PrintingNotifier: Notifier {
    func send(_ notice: Notice) async throws {
        print("notice [\(notice.kind.rawValue)] to \(notice.recipients.joined(separator: ", ")): \(notice.subject)")
    }
}

func describe(_ report: UserSyncReport) -> [String] {
    var lines: [String] = []
    if let refusal = report.refusal { lines.append("\(report.userID): refused: \(refusal.explanation)") }
    if let previous = report.renamedFrom { lines.append("\(report.userID): renamed from \(previous)") }
    for address in report.moved { lines.append("\(report.userID): moved \(address)") }
    for address in report.created { lines.append("\(report.userID): created \(address)") }
    for address in report.removed { lines.append("\(report.userID): removed \(address)") }
    for domain in report.leftDomains { lines.append("\(report.userID): left \(domain)") }
    for (domain, reason) in report.skipped.sorted(by: { $0.key < $1.key }) { lines.append("\(report.userID): skipped \(domain): \(reason)") }
    for problem in report.problems { lines.append("\(report.userID): problem: \(problem)") }
    if lines.isEmpty { lines.append("\(report.userID): unchanged") }
    return lines
}

func json(_ report: UserSyncReport) -> [String: Any] {
    [
        "user": report.userID, "refusal": report.refusal?.rawValue ?? NSNull(), "created": report.created,
        "removed": report.removed, "leftDomains": report.leftDomains, "unchanged": report.unchanged,
        "skipped": report.skipped, "problems": report.problems, "renamedFrom": report.renamedFrom ?? NSNull(),
        "moved": report.moved,
    ]
}

let options = parse(Array(CommandLine.arguments.dropFirst()))
let database = options.database!
let stateFolder = options.state ?? URL(fileURLWithPath: database).deletingLastPathComponent().path
do {
    let aliases = try SQLiteAliasStore(path: database)
    let launchpad = try LaunchpadWebServiceClient(configuration: .init(serviceRoot: options.apiRoot))
    var base: any Notifier = PrintingNotifier()
    if let smtp = options.smtp, let sender = options.sender {
        var settings = SMTPNotifier.Configuration(sender: sender)
        settings.host = smtp.host
        settings.port = smtp.port
        settings.tls = options.tls
        settings.tlsServerName = options.tlsName
        settings.trustedCertificateAuthorityFile = options.certificateAuthorities
        base = SMTPNotifier(configuration: settings)
    }
    let notifier = DeduplicatingNotifier(base: base, log: try SQLiteNoticeLog(path: "\(stateFolder)/sync-notices.sqlite"))
    var configuration = MemberSyncService.Configuration()
    configuration.removalPolicy = options.policy
    configuration.alertsAddress = options.alerts
    let service = MemberSyncService(
        launchpad: launchpad, aliases: aliases, notifier: notifier,
        ledger: try SQLiteSyncLedger(path: "\(stateFolder)/sync-ledger.sqlite"), configuration: configuration)

    if let user = options.user, let email = options.email {
        let identity = MemberIdentity(nickname: user, email: email, claimedID: options.claimedID)
        let report = try await service.sync(identity, with: try await service.buildMembersMap())
        if options.json {
            let data = try JSONSerialization.data(withJSONObject: json(report), options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            describe(report).forEach { print($0) }
        }
        exit(report.refusal == nil ? 0 : 1)
    } else {
        let report = try await service.syncAll()
        if options.json {
            let object: [String: Any] = [
                "attempts": report.attempts, "created": report.createdCount, "removed": report.removedCount,
                "unchanged": report.unchangedCount, "refused": report.refusedCount, "errors": report.errors,
                "users": report.users.values.sorted { $0.userID < $1.userID }.map(json),
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
        } else {
            for user in report.users.values.sorted(by: { $0.userID < $1.userID }) { describe(user).forEach { print($0) } }
            for (user, message) in report.errors.sorted(by: { $0.key < $1.key }) { print("\(user): error: \(message)") }
            print(report.summary)
        }
        exit(report.errors.isEmpty ? 0 : 1)
    }
} catch {
    fail("\(error)", code: 1)
}
