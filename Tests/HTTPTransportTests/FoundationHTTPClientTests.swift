import CommunityMailSystem
import CommunityMailTestSupport
import Foundation
import HTTPTransport
import Testing

@Suite("FoundationHTTPClient against a real HTTP server on loopback")
struct FoundationHTTPClientTests {
    let client = FoundationHTTPClient()

    @Test("GET returns status, headers and body; request headers arrive")
    func get() async throws {
        let server = try LoopbackHTTPServer { request in
            .respond(
                status: 200, headers: [("Content-Type", "application/json"), ("X-Echo", request.header("x-probe") ?? "-")],
                body: Data("{\"path\":\"\(request.target)\"}".utf8))
        }
        let response = try await client.execute(
            HTTPRequest(url: server.baseURL.appendingPathComponent("/1.0/~alice"), headers: ["X-Probe": "42"]))
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.headers["X-Echo"] == "42")
        #expect(response.bodyText == "{\"path\":\"/1.0/~alice\"}")
    }

    @Test("POST sends a form body that decodes to the same fields")
    func postForm() async throws {
        let server = try LoopbackHTTPServer { request in
            let fields = FormURLEncoding.decode(String(decoding: request.body, as: UTF8.self))
            let echo = fields.map { "\($0.0)=\($0.1)" }.joined(separator: "|")
            return .respond(
                status: 200, headers: [("X-Content-Type", request.header("content-type") ?? "")], body: Data(echo.utf8))
        }
        let fields = [("openid.mode", "check_authentication"), ("openid.sig", "a+b/c="), ("note", "two words & more")]
        let response = try await client.execute(.formPost(url: server.baseURL, fields: fields))
        #expect(response.bodyText == "openid.mode=check_authentication|openid.sig=a+b/c=|note=two words & more")
        #expect(response.headers["X-Content-Type"] == "application/x-www-form-urlencoded")
    }

    @Test("Redirects are returned, not followed, unless the request asks")
    func redirects() async throws {
        let server = try LoopbackHTTPServer { request in
            if request.path == "/start" {
                return .respond(status: 302, headers: [("Location", "/end")], body: Data())
            }
            return .ok("arrived")
        }
        let url = server.baseURL.appendingPathComponent("/start")
        let returned = try await client.execute(HTTPRequest(url: url))
        #expect(returned.status == 302)
        #expect(returned.headers["Location"] == "/end")
        let followed = try await client.execute(HTTPRequest(url: url, followsRedirects: true))
        #expect(followed.status == 200)
        #expect(followed.bodyText == "arrived")
    }

    @Test("A server that never answers times out with the typed error")
    func timeout() async throws {
        let server = try LoopbackHTTPServer { _ in .silence }
        defer { server.stop() }
        await #expect(throws: HTTPClientError.timeout) {
            try await client.execute(HTTPRequest(url: server.baseURL, timeout: .milliseconds(300)))
        }
    }

    @Test("Cancelling the calling task ends the request with the typed error")
    func cancellation() async throws {
        let server = try LoopbackHTTPServer { _ in .silence }
        defer { server.stop() }
        let client = self.client
        let task = Task { try await client.execute(HTTPRequest(url: server.baseURL, timeout: .seconds(60))) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: HTTPClientError.cancelled) { try await task.value }
    }

    @Test("Nothing listening: connection refused, transient, URLError kept as the cause without the URL")
    func refused() async throws {
        let port = try ChildProcess.freePort()
        let error = await #expect(throws: HTTPClientError.connectionRefused) {
            try await client.execute(HTTPRequest(url: URL(string: "http://127.0.0.1:\(port)/?token=secret")!, timeout: .seconds(5)))
        }
        #expect(error?.isTransient == true)
        #expect(error?.isTransientFailure == true)
        let cause = try #require(error?.cause as? URLError)
        #expect(cause.code == .cannotConnectToHost)
        #expect(cause.failingURL == nil)
        #expect(!String(describing: error as Any).contains("secret"))
    }

    @Test("Non-HTTP URLs are refused before any I/O")
    func invalidURL() async {
        await #expect(throws: HTTPClientError.invalidURL) {
            try await client.execute(HTTPRequest(url: URL(string: "file:///etc/passwd")!))
        }
    }

    @Test("A body over the configured limit is refused")
    func tooLarge() async throws {
        let server = try LoopbackHTTPServer { _ in .ok(String(repeating: "x", count: 4096)) }
        var configuration = FoundationHTTPClient.Configuration()
        configuration.maximumResponseBodySize = 1024
        let small = FoundationHTTPClient(configuration: configuration)
        await #expect(throws: HTTPClientError.responseTooLarge) { try await small.execute(HTTPRequest(url: server.baseURL)) }
    }
}
