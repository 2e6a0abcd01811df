import CommunityMailTestSupport
import Foundation
import HTTPTransport
import Testing

/// The response size limit holds while the body arrives, not after it is in memory.
///
/// A test process runs many suites at once, so its own peak memory says nothing about one
/// client. Each large case therefore runs the client in a child process (`http-fetch`, one
/// GET through `FoundationHTTPClient`), which reports its own high-water mark (VmHWM) after
/// the request; the loopback server streams from a 64 KiB piece and holds nothing itself.
@Suite("Response size limit enforced while receiving")
struct ResponseSizeLimitTests {
    static let limit = 1 << 20
    static let peakCeiling = 64 << 20
    static let hugeLength = 300_000_000

    /// The child's outcome line and peak memory in bytes.
    private func fetchInChild(_ url: URL) async throws -> (outcome: String, peak: Int) {
        let binary = try #require(TestPeers.builtExecutable("http-fetch"), "build the http-fetch helper (swift build)")
        let run = try await ChildProcess.run(binary, [url.absoluteString, String(Self.limit)])
        #expect(run.status == 0, "\(run.output)")
        let lines = run.output.split(separator: "\n")
        let outcome = lines.first { $0.hasPrefix("outcome: ") }.map(String.init) ?? run.output
        let peak = try #require(lines.first { $0.hasPrefix("peak-kB: ") }.flatMap { Int($0.dropFirst("peak-kB: ".count)) })
        return (outcome, peak * 1024)
    }

    @Test("300 MB with an honest Content-Length: refused from the header, peak under 64 MiB")
    func honestContentLength() async throws {
        let server = try LoopbackHTTPServer { _ in
            .stream(status: 200, headers: [], body: .init(length: Self.hugeLength, framing: .contentLength))
        }
        defer { server.stop() }
        let (outcome, peak) = try await fetchInChild(server.baseURL)
        #expect(outcome.hasPrefix("outcome: error responseTooLarge"), "\(outcome)")
        #expect(peak < Self.peakCeiling, "peak \(peak >> 20) MiB")
    }

    @Test("300 MB chunked, no Content-Length: the transfer is cancelled at the limit, peak under 64 MiB")
    func chunked() async throws {
        let server = try LoopbackHTTPServer { _ in
            .stream(status: 200, headers: [], body: .init(length: Self.hugeLength, framing: .chunked))
        }
        defer { server.stop() }
        let (outcome, peak) = try await fetchInChild(server.baseURL)
        #expect(outcome.hasPrefix("outcome: error responseTooLarge"), "\(outcome)")
        #expect(peak < Self.peakCeiling, "peak \(peak >> 20) MiB")
    }

    @Test("300 MB chunked under a lying Content-Length of 1,000: counted as it arrives, peak under 64 MiB")
    func lyingContentLength() async throws {
        let server = try LoopbackHTTPServer { _ in
            .stream(status: 200, headers: [("Content-Length", "1000")], body: .init(length: Self.hugeLength, framing: .chunked))
        }
        defer { server.stop() }
        let (outcome, peak) = try await fetchInChild(server.baseURL)
        #expect(outcome.hasPrefix("outcome: error responseTooLarge"), "\(outcome)")
        #expect(peak < Self.peakCeiling, "peak \(peak >> 20) MiB")
    }

    @Test(
        "A compressed body under the limit that URLSession expands to 128 MiB: the limit applies to the expanded bytes",
        arguments: CompressedZeros.Wrapper.allCases)
    func decompressionBomb(wrapper: CompressedZeros.Wrapper) async throws {
        let bomb = CompressedZeros.body(count: 128 << 20, wrapper: wrapper)
        #expect(bomb.count < Self.limit)
        let server = try LoopbackHTTPServer { _ in
            .respond(status: 200, headers: [("Content-Encoding", wrapper.rawValue)], body: bomb)
        }
        defer { server.stop() }
        let (outcome, peak) = try await fetchInChild(server.baseURL)
        #expect(outcome.hasPrefix("outcome: error responseTooLarge"), "\(outcome)")
        #expect(peak < Self.peakCeiling, "peak \(peak >> 20) MiB")
    }

    @Test("A compressed body that expands to less than the limit arrives expanded", arguments: CompressedZeros.Wrapper.allCases)
    func compressedWithinLimit(wrapper: CompressedZeros.Wrapper) async throws {
        let server = try LoopbackHTTPServer { _ in
            .respond(
                status: 200, headers: [("Content-Encoding", wrapper.rawValue)],
                body: CompressedZeros.body(count: 100_000, wrapper: wrapper))
        }
        defer { server.stop() }
        let response = try await FoundationHTTPClient().execute(HTTPRequest(url: server.baseURL))
        #expect(response.body == Data(count: 100_000))
    }

    @Test("The fake refuses what the real client refuses: a body one byte over its (default) limit")
    func scriptedDefaultLimit() async throws {
        let limit = FoundationHTTPClient.Configuration().maximumResponseBodySize
        let fake = ScriptedHTTPClient(replies: [
            .response(HTTPResponse(status: 200, body: Data(count: limit))),
            .response(HTTPResponse(status: 200, body: Data(count: limit + 1))),
        ])
        let url = URL(string: "https://example.test/")!
        #expect(try await fake.execute(HTTPRequest(url: url)).body.count == limit)
        await #expect(throws: HTTPClientError.responseTooLarge) { try await fake.execute(HTTPRequest(url: url)) }
    }

    /// What each client does with a body of `length` bytes under a limit of 1,000.
    @Test(
        "Real client and fake agree at the limit: 1,000 bytes pass, 1,001 fail, however the body is framed",
        arguments: [1000, 1001], StreamedBodyFraming.allCases)
    func fakeAndRealAgree(length: Int, framing: StreamedBodyFraming) async throws {
        let accepted = length <= 1000
        let server = try LoopbackHTTPServer { _ in
            .stream(status: 200, headers: [], body: .init(length: length, framing: framing.value, piece: Data(repeating: 7, count: 300)))
        }
        defer { server.stop() }
        var configuration = FoundationHTTPClient.Configuration()
        configuration.maximumResponseBodySize = 1000
        let real = FoundationHTTPClient(configuration: configuration)
        let fake = ScriptedHTTPClient(
            replies: [.response(HTTPResponse(status: 200, body: Data(repeating: 7, count: length)))], maximumResponseBodySize: 1000)
        for client in [real, fake] as [any HTTPClient] {
            if accepted {
                #expect(try await client.execute(HTTPRequest(url: server.baseURL)).body.count == length)
            } else {
                await #expect(throws: HTTPClientError.responseTooLarge) { try await client.execute(HTTPRequest(url: server.baseURL)) }
            }
        }
    }

    @Test("A HEAD response declaring a Content-Length over the limit is not refused: it has no body")
    func headDeclaringLargeLength() async throws {
        let server = try LoopbackHTTPServer { _ in
            .stream(status: 200, headers: [], body: .init(length: Self.hugeLength, framing: .contentLength))
        }
        defer { server.stop() }
        var configuration = FoundationHTTPClient.Configuration()
        configuration.maximumResponseBodySize = Self.limit
        let response = try await FoundationHTTPClient(configuration: configuration).execute(
            HTTPRequest(method: .head, url: server.baseURL))
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
    }

    @Test("The fake's limit covers handler and fallback answers too")
    func scriptedHandlerLimit() async throws {
        let large: @Sendable (HTTPRequest) async throws -> HTTPResponse = { _ in HTTPResponse(status: 200, body: Data(count: 11)) }
        let fake = ScriptedHTTPClient(replies: [.handler(large)], maximumResponseBodySize: 10, fallback: large)
        let url = URL(string: "https://example.test/")!
        await #expect(throws: HTTPClientError.responseTooLarge) { try await fake.execute(HTTPRequest(url: url)) }
        await #expect(throws: HTTPClientError.responseTooLarge) { try await fake.execute(HTTPRequest(url: url)) }
    }
}

/// A `Sendable`, printable stand-in for ``LoopbackHTTPServer/StreamedBody/Framing`` in test arguments.
enum StreamedBodyFraming: String, Sendable, CaseIterable {
    case contentLength, chunked

    var value: LoopbackHTTPServer.StreamedBody.Framing {
        switch self {
        case .contentLength: .contentLength
        case .chunked: .chunked
        }
    }
}
