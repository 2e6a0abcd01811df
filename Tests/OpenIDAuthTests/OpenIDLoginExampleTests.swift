import CommunityMailTestSupport
import Foundation
import HTTPTransport
import Testing

/// `Examples/openid-login begin|finish` against python3-openid's provider, as a script would
/// use it: the state file carries the association and nonces between the two processes.
@Suite(.enabled(if: TestPeers.shouldRun(PythonOpenIDPeer.isAvailable) && ExampleBinary.openIDLogin != nil,
                "python3-openid or the built openid-login is missing"))
struct OpenIDLoginExampleTests {

    func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await ChildProcess.run(try #require(ExampleBinary.openIDLogin), arguments)
    }

    @Test(arguments: [false, true])
    func beginThenFinish(form: Bool) async throws {
        let peer = try await PythonOpenIDPeer()
        let directory = try TemporaryDirectory(prefix: "openid-login")
        let state = directory.path("state.sqlite")
        let returnTo = "http://127.0.0.1:9/return" + (form ? "?answer=form" : "?x=1")
        let begin = try await run(["begin", "--provider", peer.base + "/", "--realm", "http://127.0.0.1:9/", "--return-to", returnTo,
                             "--state", state, "--teams", "a,b", "--allow-private-addresses"])
        #expect(begin.status == 0, "\(begin.output)")
        let requestURL = try #require(URL(string: begin.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        let callback = try await Browser.visit(requestURL, with: FoundationHTTPClient())
        var arguments = ["finish", "--state", state, "--callback", callback.url.absoluteString, "--allow-private-addresses"]
        if let body = callback.postBody { arguments += ["--post-body", body] }
        let finish = try await run(arguments)
        #expect(finish.status == 0, "\(finish.output)")
        #expect(finish.output.contains("\"claimed_id\" : \"\(peer.claimedIdentifier)\""))
        #expect(finish.output.contains("\"email\" : \"alice@example.com\""))
        // The same answer again is a replay, refused with a typed error and exit status 1.
        let replay = try await run(arguments)
        #expect(replay.status == 1)
        #expect(replay.output.contains("replayedNonce"))
    }
}

extension OpenIDLoginExampleTests {
    @Test func serveHandlesOneBrowserSignIn() async throws {
        let peer = try await PythonOpenIDPeer()
        let directory = try TemporaryDirectory(prefix: "openid-serve")
        let port = try ChildProcess.freePort()
        let server = try ChildProcess(try #require(ExampleBinary.openIDLogin), [
            "serve", "--state", directory.path("state.sqlite"), "--provider", peer.base + "/", "--port", String(port),
            "--allow-private-addresses",
        ])
        try await server.waitForTCPPort(port)
        let http = FoundationHTTPClient()
        // The browser: the server's start page redirects to the provider, which redirects back.
        let start = try await http.execute(HTTPRequest(url: URL(string: "http://127.0.0.1:\(port)/")!))
        #expect(start.status == 302)
        let providerURL = try #require(start.headers["Location"].flatMap(URL.init(string:)))
        let callback = try await Browser.visit(providerURL, with: http)
        #expect(callback.url.absoluteString.hasPrefix("http://127.0.0.1:\(port)/return?"))
        let page = try await http.execute(HTTPRequest(url: callback.url))
        #expect(page.bodyText.contains("Signed in"))
        // It stops after one answer; never wait on it unboundedly.
        let deadline = ContinuousClock.now + .seconds(10)
        while server.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!server.isRunning)
        server.stop()
        #expect(await server.exited() == 0)
        #expect(server.output.contains("\"nickname\" : \"alice\""), "\(server.output)")
    }
}

/// The example executable `swift build` leaves in the debug build folder.
enum ExampleBinary {
    static var openIDLogin: URL? { TestPeers.builtExecutable("openid-login") }
}
