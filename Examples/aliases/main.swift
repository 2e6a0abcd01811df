// aliases: manage an alias database and ask it where mail goes.
//
//   aliases <db> user add <id> <email> [--locale <tag>]   (an existing user keeps ban and OpenID identity)
//   aliases <db> user rebind <id> <claimed-identifier>     (the person's OpenID identity changed)
//   aliases <db> user release <id>                         (the next sign-in under the name binds it)
//   aliases <db> domain add <name> [--plan free|enhanced|team] [--admin <user-id>] [--token <t>]
//   aliases <db> domain verify <name> [yes|no]
//   aliases <db> domain list
//   aliases <db> alias add <name@domain> <recipient>... --owner <user-id>
//   aliases <db> alias disable <name@domain>
//   aliases <db> alias list [<domain>]
//   aliases <db> resolve <address>
//   aliases <db> export-postfix [<folder>]
//   aliases <db> export-json
//
// `--as <user-id>` makes the change as that person (needed for reserved names, catch-alls
// and patterns, which only domain admins may create); otherwise changes are made as the
// sync "aliases-cli".
import AliasStore
import DNSVerify
import Foundation

struct Usage: Error {}

func fail(_ message: String, status: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("aliases: \(message)\n".utf8))
    exit(status)
}

var arguments = Array(CommandLine.arguments.dropFirst())
/// Removes `--name value` from the arguments and returns the value.
@MainActor func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name) else { return nil }
    guard index + 1 < arguments.count else { fail("\(name) needs a value", status: 2) }
    let value = arguments[index + 1]
    arguments.removeSubrange(index...(index + 1))
    return value
}

let usage = """
    usage: aliases <db> user add <id> <email> [--locale <tag>]
           aliases <db> user rebind <id> <claimed-identifier>
           aliases <db> user release <id>
           aliases <db> domain add <name> [--plan free|enhanced|team] [--admin <user-id>] [--token <t>]
           aliases <db> domain verify <name> [yes|no]
           aliases <db> domain list
           aliases <db> alias add <name@domain> <recipient>... --owner <user-id>
           aliases <db> alias disable <name@domain>
           aliases <db> alias list [<domain>]
           aliases <db> resolve <address>
           aliases <db> export-postfix [<folder>]
           aliases <db> export-json
      options: --as <user-id>  make the change as this person (default: the sync "aliases-cli")
    """

let actor: ChangeActor = option("--as").map(ChangeActor.person) ?? .sync("aliases-cli")
let plan = option("--plan")
let adminID = option("--admin")
let token = option("--token")
let owner = option("--owner")
let locale = option("--locale")
guard arguments.count >= 2 else { fail(usage, status: 2) }
let path = arguments[0]
let command = Array(arguments.dropFirst())

/// Splits `name@domain` at its last @.
func splitAddress(_ text: String) -> (name: String, domain: String) {
    guard let at = text.lastIndex(of: "@") else { fail("\(text) is not name@domain", status: 2) }
    return (String(text[..<at]), String(text[text.index(after: at)...]))
}

func describe(_ alias: Alias) -> String {
    "\(alias.name)@\(alias.domain)\t\(alias.enabled ? "enabled " : "disabled")\towner \(alias.owner)\t-> \(alias.recipients.joined(separator: ", "))"
}

do {
    let store = try SQLiteAliasStore(path: path)
    switch (command[0], command.count > 1 ? command[1] : "") {
    case ("user", "add") where command.count == 4:
        // Read, change, save: an existing user keeps their ban and OpenID claimed identifier
        // (saving a fresh record would drop both).
        var user = try await store.user(id: command[2]) ?? User(id: command[2], email: command[3])
        user.email = command[3]
        if let locale { user.locale = locale }
        user = try await store.saveUser(user, by: actor)
        print("user \(user.id) <\(user.email)>")
    case ("user", "rebind") where command.count == 4, ("user", "release") where command.count == 3:
        // The one way to change a recorded identifier; the change log records that it
        // changed (not the identifier), and so does this line.
        let user = try await store.rebindUser(id: command[2], claimedIdentifier: command.count == 4 ? command[3] : nil, by: actor)
        print("user \(user.id) \(user.claimedIdentifier == nil ? "released: the next sign-in binds it" : "bound to the given OpenID identity")")
    case ("domain", "add") where command.count == 3:
        guard let chosen = DomainPlan(rawValue: plan ?? "free") else { fail("--plan is free, enhanced or team", status: 2) }
        var domain = try await store.createDomain(command[2], plan: chosen, verificationToken: token, by: actor)
        if let adminID { domain = try await store.setMember(adminID, role: .admin, onDomain: domain.name, by: actor) }
        print("domain \(domain.name) (\(domain.displayName)), plan \(domain.plan.rawValue), unverified")
        // The record DomainVerifier looks for, so a domain set up from this line verifies.
        let prefix = DomainVerifier.Configuration().verificationPrefix
        print("publish: \(domain.name). 600 IN TXT \"\(prefix)\(domain.verificationToken)\"")
    case ("domain", "verify") where command.count == 3 || command.count == 4:
        let verified = command.count == 3 || command[3] == "yes"
        let domain = try await store.recordVerification(domain: command[2], verified: verified, by: actor)
        print("domain \(domain.name) \(domain.verified ? "verified" : "not verified")")
    case ("domain", "list"):
        for domain in try await store.domains() {
            let admins = domain.members.filter { $0.role == .admin }.map(\.userID).joined(separator: ",")
            print("\(domain.name)\t\(domain.plan.rawValue)\t\(domain.verified ? "verified" : "unverified")\tadmins: \(admins.isEmpty ? "-" : admins)")
        }
    case ("alias", "add") where command.count >= 4:
        guard let owner else { fail("alias add needs --owner <user-id>", status: 2) }
        let (name, domain) = splitAddress(command[2])
        let alias = try await store.createAlias(NewAlias(name: name, domain: domain, owner: owner, recipients: Array(command[3...])), by: actor)
        print(describe(alias))
    case ("alias", "disable") where command.count == 3:
        let (name, domain) = splitAddress(command[2])
        guard let alias = try await store.alias(named: name, domain: domain) else { fail("no alias \(command[2])") }
        print(describe(try await store.setAliasEnabled(id: alias.id, false, by: actor)))
    case ("alias", "list") where command.count <= 3:
        let domains = command.count == 3 ? [command[2]] : try await store.domains().map(\.name)
        for domain in domains { for alias in try await store.aliases(domain: domain) { print(describe(alias)) } }
    case ("resolve", _) where command.count == 2:
        switch await store.resolve(command[1]) {
        case .recipients(let recipients): print("deliver to: \(recipients.joined(separator: ", "))")
        case .rejected(let rejection): print("reject: \(rejection.reply) (\(rejection.reason.rawValue))")
        case .unknown: print("unknown: not a domain this store serves")
        }
    case ("export-postfix", _) where command.count <= 2:
        let export = try await store.postfixExport()
        if command.count == 2 {
            let folder = URL(fileURLWithPath: command[1])
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try export.virtualAliasMaps.write(to: folder.appendingPathComponent("virtual"), atomically: true, encoding: .utf8)
            try export.virtualAliasDomains.write(to: folder.appendingPathComponent("virtual_domains"), atomically: true, encoding: .utf8)
            print("wrote \(folder.path)/virtual and virtual_domains; run: postmap hash:\(folder.path)/virtual")
        } else {
            print("# virtual_alias_domains")
            print(export.virtualAliasDomains, terminator: "")
            print("# virtual_alias_maps")
            print(export.virtualAliasMaps, terminator: "")
        }
    case ("export-json", _) where command.count == 1:
        FileHandle.standardOutput.write(try await store.snapshot().jsonData())
        print()
    default:
        fail(usage, status: 2)
    }
} catch let error as AliasStoreError {
    fail(error.message)
}
