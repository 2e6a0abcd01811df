import CommunityMailTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
    /// Another relying party's sign-in (its own state and return_to, stateless so that the
    /// provider would confirm it to anyone by check_authentication), presented to `finish`
    /// with its own, matching callback URL: `finish` checks against begin's return_to.
    @Test func finishRefusesAnAssertionForAnotherReturnTo() async throws {
        let peer = try await PythonOpenIDPeer()
        let directory = try TemporaryDirectory(prefix: "openid-login-rp")
        let ours = directory.path("ours.sqlite")
        let theirs = directory.path("theirs.sqlite")
        let begin = try await run(["begin", "--provider", peer.base + "/", "--realm", "http://127.0.0.1:9/",
                                   "--return-to", "http://127.0.0.1:9/return", "--state", ours, "--allow-private-addresses"])
        #expect(begin.status == 0, "\(begin.output)")
        let other = try await run(["begin", "--provider", peer.base + "/", "--realm", "http://127.0.0.1:7/",
                                   "--return-to", "http://127.0.0.1:7/other/return", "--state", theirs, "--allow-private-addresses",
                                   "--stateless"])
        #expect(other.status == 0, "\(other.output)")
        let requestURL = try #require(URL(string: other.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        let callback = try await Browser.visit(requestURL, with: FoundationHTTPClient())
        #expect(callback.url.absoluteString.hasPrefix("http://127.0.0.1:7/other/return?"))
        let finish = try await run(["finish", "--state", ours, "--callback", callback.url.absoluteString, "--allow-private-addresses"])
        #expect(finish.status == 1, "\(finish.output)")
        #expect(finish.output.contains("returnToMismatch"), "\(finish.output)")
    }

    /// `serve` builds the callback URL from its own scheme, host and port: a request target
    /// that is not origin-form (`@evil.example/return`) is a bad request, not a sign-in.
    @Test func serveRefusesTargetsThatNameAnotherHost() async throws {
        let directory = try TemporaryDirectory(prefix: "openid-serve-target")
        let port = try ChildProcess.freePort()
        let server = try ChildProcess(try #require(ExampleBinary.openIDLogin), [
            "serve", "--state", directory.path("state.sqlite"), "--provider", "https://op.invalid/", "--port", String(port),
        ])
        defer { server.stop() }
        try await server.waitForTCPPort(port)
        for target in ["@evil.example/return?openid.mode=cancel", "//evil.example/return?openid.mode=cancel"] {
            let status = try await BlockingWork.run { try Self.rawStatus(port: port, target: target) }
            #expect(status == 400, "\(target)")
        }
        #expect(server.isRunning)
    }

    /// Without `--allow-private-addresses`, `begin` refuses a provider on loopback and sends
    /// it nothing.
    @Test func beginWithoutTheFlagRefusesALoopbackProvider() async throws {
        let peer = try await PythonOpenIDPeer()
        let directory = try TemporaryDirectory(prefix: "openid-login-private")
        let begin = try await run(["begin", "--provider", peer.base + "/", "--realm", "http://127.0.0.1:9/",
                                   "--return-to", "http://127.0.0.1:9/return", "--state", directory.path("state.sqlite")])
        #expect(begin.status == 1, "\(begin.output)")
        #expect(begin.output.contains("refusedURL"), "\(begin.output)")
    }

    /// `finish` uses begin's choice about private addresses; asking for more is a usage error.
    @Test func finishKeepsBeginsPrivateAddressChoice() async throws {
        let directory = try TemporaryDirectory(prefix: "openid-login-settings")
        let state = directory.path("state.sqlite")
        // What begin without the flag keeps (written here: begin itself would need a public provider).
        let settings = """
            {"realm":"https://rp.example/","returnTo":"https://rp.example/return","provider":"https://op.invalid/",
             "stateless":false,"allowPrivateAddresses":false}
            """
        #expect(FileManager.default.createFile(atPath: state + ".settings.json", contents: Data(settings.utf8)))
        let finish = try await run(["finish", "--state", state, "--callback", "https://rp.example/return?openid.mode=cancel",
                                    "--allow-private-addresses"])
        #expect(finish.status == 2, "\(finish.output)")
        #expect(finish.output.contains("begin did not allow private addresses"), "\(finish.output)")
    }

    /// `--port` must be a port number.
    @Test(arguments: ["0", "65536", "http", "-1"])
    func serveRefusesAnInvalidPort(port: String) async throws {
        let directory = try TemporaryDirectory(prefix: "openid-serve-port")
        let serve = try await run(["serve", "--state", directory.path("state.sqlite"), "--port", port])
        #expect(serve.status == 2, "\(serve.output)")
        #expect(serve.output.contains("--port"), "\(serve.output)")
    }

    /// Malformed requests get 400 (413 when too large), a request at `/return` that is no
    /// provider answer gets 400, an answer without this run's sign-in token gets 403, and
    /// none of them ends the server.
    @Test func serveSurvivesMalformedAndForeignRequests() async throws {
        let directory = try TemporaryDirectory(prefix: "openid-serve-malformed")
        let port = try ChildProcess.freePort()
        let server = try ChildProcess(try #require(ExampleBinary.openIDLogin), [
            "serve", "--state", directory.path("state.sqlite"), "--provider", "https://op.invalid/", "--port", String(port),
        ])
        defer { server.stop() }
        try await server.waitForTCPPort(port)
        let cases: [(request: String, status: Int)] = [
            ("POST /return HTTP/1.1\r\nContent-Length:\r\n\r\n", 400),
            ("POST /return HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
            ("POST /return HTTP/1.1\r\nContent-Length: +5\r\n\r\nabcde", 400),
            ("POST /return HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcde", 400),
            ("POST /return HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", 413),
            ("GET /return HTTP/1.1\r\n\r\n", 400),
            ("GET /return?openid.mode=cancel HTTP/1.1\r\n\r\n", 403),
            ("GET /return?signin=0000&openid.mode=cancel HTTP/1.1\r\n\r\n", 403),
            ("POST /return HTTP/1.1\r\nContent-Length: 18\r\n\r\nopenid.mode=cancel", 403),
        ]
        for (request, expected) in cases {
            let status = try await BlockingWork.run { try Self.rawStatus(port: port, request: request) }
            #expect(status == expected, "\(request)")
            #expect(server.isRunning, "\(request)")
        }
    }

    /// Sends `GET target HTTP/1.1` as written and returns the response's status code.
    static func rawStatus(port: UInt16, target: String) throws -> Int {
        try rawStatus(port: port, request: "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    }

    /// Sends `request` byte for byte and returns the response's status code.
    static func rawStatus(port: UInt16, request text: String) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PeerError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw PeerError("connect failed") }
        let request = Array(text.utf8)
        _ = request.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count, 0) }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        let statusLine = String(decoding: response, as: UTF8.self).split(separator: " ")
        guard statusLine.count > 1, let status = Int(statusLine[1]) else { throw PeerError("no HTTP answer") }
        return status
    }

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
        #expect(page.bodyText.contains("\"nickname\" : \"alice\""), "\(page.bodyText)")
        // It stops after one answer; never wait on it unboundedly.
        // (The bound only stops a hang: a debug build on a loaded machine may take seconds.)
        try await waitUntil("serve exits after one answer", timeout: .seconds(120)) { !server.isRunning }
        server.stop()
        #expect(await server.exited() == 0)
        #expect(server.output.contains("\"nickname\" : \"alice\""), "\(server.output)")
    }
}

/// The example executable `swift build` leaves in the debug build folder.
enum ExampleBinary {
    static var openIDLogin: URL? { TestPeers.builtExecutable("openid-login") }
}
