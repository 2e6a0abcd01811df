// openid-login: sign a person in with an OpenID 2.0 provider (Ubuntu One by default), by
// hand or from scripts. The state file is OpenIDAuth's SQLite store, so nonces and
// associations outlive the process between `begin` and `finish`; beside it, `begin` keeps
// the relying party's settings (realm, return_to, provider, whether private addresses may be
// fetched) in FILE.settings.json, and `finish` checks the answer against them as well as
// against the callback URL it is given (a callback URL alone proves nothing about whom the
// answer was for).
//
//   openid-login begin --provider URL --realm URL --return-to URL --state FILE [--stateless] [--teams a,b] [--allow-private-addresses]
//   openid-login finish --state FILE --callback URL [--post-body BODY] [--allow-private-addresses]
//   openid-login serve --state FILE [--provider URL] [--port N] [--stateless] [--teams a,b] [--allow-private-addresses]
import Foundation
import HTTPTransport
import OpenIDAuth

let usage = """
    usage:
      openid-login begin --provider URL --realm URL --return-to URL --state FILE [--stateless] [--teams a,b]
                         [--allow-private-addresses]
          prints the URL to send the browser to; keeps realm, return_to, provider and
          --allow-private-addresses in FILE.settings.json
      openid-login finish --state FILE --callback URL [--post-body BODY] [--allow-private-addresses]
          verifies the provider's answer against begin's settings and against the callback URL; prints
          the identity as JSON (exit 0) or the error (exit 1); uses begin's --allow-private-addresses
          (giving the flag when begin did not is a usage error)
      openid-login serve --state FILE [--provider URL] [--port N] [--stateless] [--teams a,b] [--allow-private-addresses]
          runs a callback server on 127.0.0.1:N (default 8000) for a person's browser: http://127.0.0.1:N/
          redirects to the provider, the provider returns to http://127.0.0.1:N/return?signin=TOKEN
          (a random token for this run: an answer without it is refused, 403), which shows
          "Signed in" and the identity as JSON (or "Sign-in failed"); the identity is printed as JSON
          too, then the server exits
    --allow-private-addresses: fetch a provider on loopback or a private network, over plain http too
      (off by default: only public addresses over https are fetched)
    SREG values and teams are reported only from the --provider given to begin or serve.
    """

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(code)
}

/// `--name value` options and `--flag` switches.
struct Options {
    var values: [String: String] = [:]
    var flags: Set<String> = []

    init(_ arguments: ArraySlice<String>, switches: Set<String>) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            guard argument.hasPrefix("--") else { fail("unexpected argument \(argument)\n\(usage)") }
            let name = String(argument.dropFirst(2))
            if switches.contains(name) {
                flags.insert(name)
            } else if let value = iterator.next() {
                values[name] = value
            } else {
                fail("--\(name) needs a value\n\(usage)")
            }
        }
    }

    func required(_ name: String) -> String {
        guard let value = values[name], !value.isEmpty else { fail("--\(name) is required\n\(usage)") }
        return value
    }

    func url(_ name: String) -> URL {
        guard let url = URL(string: required(name)), url.scheme != nil else { fail("--\(name) must be an absolute URL") }
        return url
    }

    var teams: [String] { (values["teams"] ?? "").split(separator: ",").map(String.init).filter { !$0.isEmpty } }
}

/// What `begin` used and `finish` must check against: the state file remembers it.
struct RelyingPartySettings: Codable {
    var realm: String
    var returnTo: URL
    var provider: URL
    var stateless: Bool
    /// Whether begin allowed private addresses (nil in files written before it was kept).
    var allowPrivateAddresses: Bool?

    static func path(forState state: String) -> String { state + ".settings.json" }

    func save(forState state: String) {
        guard let data = try? JSONEncoder().encode(self),
              FileManager.default.createFile(atPath: Self.path(forState: state), contents: data)
        else { fail("cannot write \(Self.path(forState: state))") }
    }

    static func load(forState state: String) -> RelyingPartySettings {
        guard let data = FileManager.default.contents(atPath: path(forState: state)),
              let settings = try? JSONDecoder().decode(RelyingPartySettings.self, from: data)
        else { fail("no settings beside the state file (\(path(forState: state))): run begin first") }
        return settings
    }
}

func relyingParty(_ settings: RelyingPartySettings, state: String, allowPrivateAddresses: Bool) -> OpenIDRelyingParty {
    var configuration = OpenIDRelyingParty.Configuration(realm: settings.realm, returnTo: settings.returnTo)
    if settings.stateless { configuration.associationPolicy = .stateless }
    if allowPrivateAddresses { configuration.urlPolicy = .privateNetwork() }
    configuration.extensionTrust = .opIdentifiers([settings.provider])
    do {
        return OpenIDRelyingParty(configuration: configuration, httpClient: FoundationHTTPClient(), store: try SQLiteOpenIDStore(path: state))
    } catch {
        fail("cannot open the state file: \(error)")
    }
}

func requestOptions(teams: [String]) -> OpenIDAuthenticationOptions {
    OpenIDAuthenticationOptions(simpleRegistration: .init(required: [.nickname, .email], optional: [.fullname]), teams: teams)
}

/// The identity as pretty, key-sorted JSON.
func json(_ assertion: VerifiedAssertion) -> String {
    var object: [String: Any] = [
        "claimed_id": assertion.claimedIdentifier, "identity": assertion.localIdentifier,
        "op_endpoint": assertion.providerEndpoint, "teams": assertion.teams,
    ]
    for (key, value) in assertion.simpleRegistration { object[key] = value }
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
}

/// Verifies an answer; prints the identity as JSON and returns it, or prints the error and
/// returns nil.
func finish(_ rp: OpenIDRelyingParty, callback: URL, postBody: String?) async -> VerifiedAssertion? {
    do {
        switch try await rp.complete(callbackURL: callback, postBody: postBody) {
        case .authenticated(let assertion):
            print(json(assertion))
            return assertion
        case .cancelled: FileHandle.standardError.write(Data("cancelled: the user declined\n".utf8))
        case .setupNeeded: FileHandle.standardError.write(Data("setup_needed: the provider needs the user\n".utf8))
        case .providerError(let text): FileHandle.standardError.write(Data("provider error: \(text)\n".utf8))
        }
    } catch {
        FileHandle.standardError.write(Data("\(error.kind): \(error.message)\n".utf8))
    }
    return nil
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "begin":
    let options = Options(arguments.dropFirst(), switches: ["stateless", "allow-private-addresses"])
    let state = options.required("state")
    let settings = RelyingPartySettings(
        realm: options.required("realm"), returnTo: options.url("return-to"), provider: options.url("provider"),
        stateless: options.flags.contains("stateless"), allowPrivateAddresses: options.flags.contains("allow-private-addresses"))
    let rp = relyingParty(settings, state: state, allowPrivateAddresses: settings.allowPrivateAddresses ?? false)
    do {
        let request = try await rp.begin(identifier: settings.provider.absoluteString, options: requestOptions(teams: options.teams))
        settings.save(forState: state)
        print(request.redirectURL.absoluteString)
    } catch {
        fail("\(error.kind): \(error.message)", code: 1)
    }
case "finish":
    let options = Options(arguments.dropFirst(), switches: ["allow-private-addresses"])
    let state = options.required("state")
    // The answer is checked against begin's return_to and realm (kept beside the state), and
    // against the URL it arrived at: a callback URL alone proves nothing about who it was for.
    let settings = RelyingPartySettings.load(forState: state)
    // begin's choice stands; asking finish for more than begin allowed is a mistake to report.
    let allowPrivate = settings.allowPrivateAddresses ?? options.flags.contains("allow-private-addresses")
    if options.flags.contains("allow-private-addresses"), !allowPrivate {
        fail("--allow-private-addresses: begin did not allow private addresses for this state; run begin with it")
    }
    let rp = relyingParty(settings, state: state, allowPrivateAddresses: allowPrivate)
    exit(await finish(rp, callback: options.url("callback"), postBody: options.values["post-body"]) == nil ? 1 : 0)
case "serve":
    let options = Options(arguments.dropFirst(), switches: ["stateless", "allow-private-addresses"])
    guard let port = UInt16(options.values["port"] ?? "8000"), port > 0 else { fail("--port must be a number from 1 to 65535\n\(usage)") }
    let base = "http://127.0.0.1:\(port)"
    let token = CallbackServer.makeSignInToken()
    let provider = options.values["provider"] ?? UbuntuOne.production.absoluteString
    guard let providerURL = URL(string: provider), providerURL.scheme != nil else { fail("--provider must be an absolute URL") }
    let settings = RelyingPartySettings(
        realm: base + "/", returnTo: URL(string: base + "/return?signin=" + token)!, provider: providerURL,
        stateless: options.flags.contains("stateless"), allowPrivateAddresses: options.flags.contains("allow-private-addresses"))
    let rp = relyingParty(settings, state: options.required("state"), allowPrivateAddresses: settings.allowPrivateAddresses ?? false)
    exit(await CallbackServer(port: port, signInToken: token).run(
        relyingParty: rp, provider: provider, options: requestOptions(teams: options.teams)))
default:
    print(usage)
    exit(arguments.isEmpty || arguments.first == "--help" ? 0 : 2)
}
