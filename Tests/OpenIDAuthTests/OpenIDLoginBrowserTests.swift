import CommunityMailTestSupport
import Foundation
import Testing

/// `Examples/openid-login serve` signing a person in through a real browser (headless
/// Chromium) against python3-openid's provider, everything on loopback: once with the
/// provider answering by redirect (GET) and once by its auto-submitted form (POST).
@Suite(.enabled(if: TestPeers.shouldRun(PythonOpenIDPeer.isAvailable && HeadlessBrowser.isAvailable) && ExampleBinary.openIDLogin != nil,
                "python3-openid, selenium with chromium and chromedriver, or the built openid-login is missing"))
struct OpenIDLoginBrowserTests {
    /// Every argument the tests give `openid-login serve`, in one place (flags the example
    /// needs for a provider on loopback belong here).
    static func serveArguments(state: String, provider: String, port: UInt16) -> [String] {
        ["serve", "--state", state, "--provider", provider, "--port", String(port), "--allow-private-addresses"]
    }

    @Test(arguments: PythonOpenIDPeer.Answer.allCases)
    func signInInAHeadlessBrowser(answeredBy answer: PythonOpenIDPeer.Answer) async throws {
        let peer = try await PythonOpenIDPeer(answerBy: answer)
        defer { peer.process.stop() }
        let directory = try TemporaryDirectory(prefix: "openid-browser")
        let port = try ChildProcess.freePort()
        let server = try ChildProcess(try #require(ExampleBinary.openIDLogin), Self.serveArguments(
            state: directory.path("state.sqlite"), provider: peer.base + "/", port: port))
        defer { server.stop() }
        try await server.waitForTCPPort(port)

        let returnTo = "http://127.0.0.1:\(port)/return"
        let screenshot = directory.path("signed-in.png")
        let page = try await HeadlessBrowser.visit(
            URL(string: "http://127.0.0.1:\(port)/")!, until: returnTo, screenshot: screenshot, in: directory)

        // The provider answered the way asked, and the browser brought the answer back so.
        #expect(peer.process.output.contains("answered checkid by \(answer.rawValue)"), "\(peer.process.output)")
        typealias PageRequest = HeadlessBrowser.Report.PageRequest
        let start = PageRequest(method: "GET", url: "http://127.0.0.1:\(port)/")
        let back = PageRequest(method: answer == .form ? "POST" : "GET", url: returnTo)
        #expect(page.documents.first == start, "\(page.documents)")
        #expect(page.documents.last == back, "\(page.documents)")
        #expect(page.documents.contains { $0.url == peer.endpoint }, "\(page.documents)")
        #expect(page.url == returnTo)
        // return_to carries serve's sign-in token (login CSRF); the rest of a form answer is in the body.
        if answer == .form {
            #expect(page.queryNames == ["signin"], "a form answer leaves only return_to's query: \(page.queryNames)")
        } else {
            #expect(page.queryNames.first == "signin", "\(page.queryNames)")
            #expect(page.queryNames.contains("openid.mode") && page.queryNames.contains("openid.sig"), "\(page.queryNames)")
        }

        // The page the person ends on says who they are signed in as.
        #expect(page.text.contains("Signed in as \(peer.claimedIdentifier)"), "\(page.text)")
        let png = try #require(page.screenshot.flatMap { FileManager.default.contents(atPath: $0) })
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "not a PNG")
        #expect(png.count > 1_000)

        // One answer ends the server, with the identity on its standard output.
        try await waitUntil("serve exits after one answer", timeout: .seconds(120)) { !server.isRunning }
        server.stop()
        #expect(await server.exited() == 0, "\(server.output)")
        #expect(server.output.contains("\"claimed_id\" : \"\(peer.claimedIdentifier)\""), "\(server.output)")
        #expect(server.output.contains("\"nickname\" : \"alice\""), "\(server.output)")
    }
}
