// openid-login: sign a person in with an OpenID 2.0 provider (Ubuntu One by default), by
// hand or from scripts. The state file is OpenIDAuth's SQLite store, so nonces and
// associations outlive the process between `begin` and `finish`.
//
//   openid-login begin --provider URL --realm URL --return-to URL --state FILE [--stateless] [--teams a,b]
//   openid-login finish --state FILE --callback URL [--post-body BODY]
//   openid-login serve --state FILE [--provider URL] [--port N] [--stateless] [--teams a,b]
import Foundation
import HTTPTransport
import OpenIDAuth

let usage = """
    usage:
      openid-login begin --provider URL --realm URL --return-to URL --state FILE [--stateless] [--teams a,b]
          prints the URL to send the browser to
      openid-login finish --state FILE --callback URL [--post-body BODY]
          verifies the provider's answer; prints the identity as JSON (exit 0) or the error (exit 1)
      openid-login serve --state FILE [--provider URL] [--port N] [--stateless] [--teams a,b]
          runs a callback server on 127.0.0.1 for a person's browser, prints the identity, exits
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

func relyingParty(realm: String, returnTo: URL, state: String, stateless: Bool) -> OpenIDRelyingParty {
    var configuration = OpenIDRelyingParty.Configuration(realm: realm, returnTo: returnTo)
    if stateless { configuration.associationPolicy = .stateless }
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
    let options = Options(arguments.dropFirst(), switches: ["stateless"])
    let rp = relyingParty(realm: options.required("realm"), returnTo: options.url("return-to"), state: options.required("state"),
                          stateless: options.flags.contains("stateless"))
    do {
        let request = try await rp.begin(identifier: options.required("provider"), options: requestOptions(teams: options.teams))
        print(request.redirectURL.absoluteString)
    } catch {
        fail("\(error.kind): \(error.message)", code: 1)
    }
case "finish":
    let options = Options(arguments.dropFirst(), switches: [])
    let callback = options.url("callback")
    // Completing needs no realm: the answer is checked against the URL it arrived at.
    var origin = URLComponents(url: callback, resolvingAgainstBaseURL: false) ?? URLComponents()
    origin.path = "/"
    origin.query = nil
    let rp = relyingParty(realm: origin.string ?? callback.absoluteString, returnTo: callback, state: options.required("state"),
                          stateless: false)
    exit(await finish(rp, callback: callback, postBody: options.values["post-body"]) == nil ? 1 : 0)
case "serve":
    let options = Options(arguments.dropFirst(), switches: ["stateless"])
    let port = UInt16(options.values["port"] ?? "8000") ?? 8000
    let base = "http://127.0.0.1:\(port)"
    let rp = relyingParty(realm: base + "/", returnTo: URL(string: base + "/return")!, state: options.required("state"),
                          stateless: options.flags.contains("stateless"))
    let provider = options.values["provider"] ?? UbuntuOne.production.absoluteString
    exit(await CallbackServer(port: port).run(relyingParty: rp, provider: provider, options: requestOptions(teams: options.teams)))
default:
    print(usage)
    exit(arguments.isEmpty || arguments.first == "--help" ? 0 : 2)
}
