// launchpad-members: list a Launchpad team's members, or check one person.
//
//   launchpad-members <team> [--api-root URL] [--api-version 1.0|devel] [--participants] [--json]
//   launchpad-members --person <name> [--api-root URL] [--json]
//
// --api-root may end in the version (https://api.launchpad.net/1.0/), as Launchpad's
// documentation writes it; --api-version then defaults to it and may not contradict it.
// Anonymous by default; with LAUNCHPAD_CONSUMER_KEY, LAUNCHPAD_TOKEN and
// LAUNCHPAD_TOKEN_SECRET in the environment, requests are OAuth-signed (PLAINTEXT, so
// only to an https root or one on loopback). Fields Launchpad redacts print as <redacted>.
import Foundation
import HTTPTransport
import LaunchpadClient

struct Options {
    var team: String?
    var person: String?
    var apiRoot = LaunchpadServiceRoot.production
    var apiVersion: LaunchpadAPIVersion?
    var participants = false
    var json = false
}

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("launchpad-members: \(message)\n".utf8))
    exit(code)
}

let usage = """
    usage: launchpad-members <team> [--api-root URL] [--api-version 1.0|devel] [--participants] [--json]
           launchpad-members --person <name> [--api-root URL] [--json]
    """

func parse(_ arguments: [String]) -> Options {
    var options = Options()
    var iterator = arguments.makeIterator()
    while let argument = iterator.next() {
        switch argument {
        case "--api-root":
            guard let value = iterator.next() else { fail("--api-root needs a URL") }
            do { options.apiRoot = try LaunchpadServiceRoot(string: value) } catch { fail("\(error)") }
        case "--staging":
            options.apiRoot = .staging
        case "--api-version":
            guard let value = iterator.next(), let version = LaunchpadAPIVersion(rawValue: value) else {
                fail("--api-version needs 1.0, devel or beta")
            }
            options.apiVersion = version
        case "--participants":
            options.participants = true
        case "--json":
            options.json = true
        case "--person":
            guard let value = iterator.next() else { fail("--person needs a name") }
            options.person = value
        case "--help", "-h":
            print(usage)
            exit(0)
        default:
            guard !argument.hasPrefix("--"), options.team == nil else { fail("unexpected \(argument)\n\(usage)") }
            options.team = argument
        }
    }
    guard (options.team == nil) != (options.person == nil) else { fail("give a team or --person <name>\n\(usage)") }
    return options
}

func credentials() -> LaunchpadCredentials {
    let environment = ProcessInfo.processInfo.environment
    guard let key = environment["LAUNCHPAD_CONSUMER_KEY"], let token = environment["LAUNCHPAD_TOKEN"],
          let secret = environment["LAUNCHPAD_TOKEN_SECRET"]
    else { return .anonymous }
    return .oauth(LaunchpadOAuthToken(consumerKey: key, token: token, tokenSecret: secret))
}

func printJSON(_ value: Any) {
    let data = (try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys])) ?? Data()
    print(String(decoding: data, as: UTF8.self))
}

func jsonValue<T>(_ value: Redactable<T>?) -> Any {
    switch value {
    case .value(let inner)?: inner
    case .redacted?: Redactable<Bool>.marker
    case nil: NSNull()
    }
}

let options = parse(Array(CommandLine.arguments.dropFirst()))
var configuration = LaunchpadWebServiceClient.Configuration(serviceRoot: options.apiRoot, apiVersion: options.apiVersion)
configuration.credentials = credentials()
let launchpad: LaunchpadWebServiceClient
do { launchpad = try LaunchpadWebServiceClient(configuration: configuration) } catch { fail("\(error)") }

do {
    if let name = options.person {
        let person = try await launchpad.person(named: name)
        let checks: [(String, Any)] = [
            ("name", person.name), ("display_name", jsonValue(person.displayName)), ("is_team", jsonValue(person.isTeam)),
            ("is_valid", jsonValue(person.isValid)), ("is_ubuntu_coc_signer", jsonValue(person.isUbuntuCoCSigner)),
            ("is_probationary", jsonValue(person.isProbationary)), ("karma", jsonValue(person.karma)),
            ("visibility", jsonValue(person.visibility.map { $0.map(\.rawValue) })),
            ("eligible_for_official_address", person.isValidUbuntuCoCSigner),
        ]
        if options.json {
            printJSON(Dictionary(uniqueKeysWithValues: checks))
        } else {
            for (label, value) in checks {
                // Text output says <redacted> rather than Launchpad's marker.
                let shown = (value as? String) == Redactable<Bool>.marker ? "<redacted>" : "\(value)"
                print("\(label.padding(toLength: 30, withPad: " ", startingAt: 0)) \(shown)")
            }
        }
        exit(person.isValidUbuntuCoCSigner ? 0 : 1)
    } else if let team = options.team {
        let collection = options.participants ? launchpad.participants(of: team) : launchpad.members(of: team)
        let people = try await collection.collect()
        if options.json {
            printJSON(["team": team, "count": people.count, "members": people.map(\.name)])
        } else {
            for person in people { print(person.isTeam.value == true ? "\(person.name) (team)" : person.name) }
            print("\(people.count) \(options.participants ? "participants" : "members") of ~\(team)")
        }
    }
} catch let error as LaunchpadError {
    fail(error.message, code: 1)
}
