import Foundation
import CommunityMailSystem
import HTTPTransport
import Testing

@Suite("RetryPolicy and RetryingHTTPClient, on a fake clock")
struct RetryingHTTPClientTests {
    let url = URL(string: "https://api.example.test/1.0/~alice")!

    func client(
        _ replies: [ScriptedHTTPClient.Reply], policy: RetryPolicy = RetryPolicy()
    ) -> (RetryingHTTPClient, ScriptedHTTPClient, ManualClock) {
        let fake = ScriptedHTTPClient(replies: replies)
        let clock = ManualClock(advancesOnSleep: true)
        return (RetryingHTTPClient(base: fake, policy: policy, clock: clock, random: { 0 }), fake, clock)
    }

    @Test("503 then 200: one retry after the initial backoff")
    func retriesStatus() async throws {
        let (retrying, fake, clock) = client([.response(HTTPResponse(status: 503)), .response(HTTPResponse(status: 200))])
        let response = try await retrying.execute(HTTPRequest(url: url))
        #expect(response.status == 200)
        #expect(fake.requests.count == 2)
        #expect(clock.sleeps == [.milliseconds(250)])
    }

    @Test("Backoff grows exponentially, is capped, and jitter only shortens it")
    func backoff() {
        var policy = RetryPolicy()
        policy.initialBackoff = .milliseconds(100)
        policy.maximumBackoff = .milliseconds(500)
        policy.jitter = 0.5
        #expect(policy.backoff(afterAttempt: 1, random: 0) == .milliseconds(100))
        #expect(policy.backoff(afterAttempt: 2, random: 0) == .milliseconds(200))
        #expect(policy.backoff(afterAttempt: 3, random: 0) == .milliseconds(400))
        #expect(policy.backoff(afterAttempt: 4, random: 0) == .milliseconds(500))
        #expect(policy.backoff(afterAttempt: 2, random: 0.999) == .milliseconds(100))
    }

    @Test("429 with Retry-After in seconds waits that long")
    func retryAfterSeconds() async throws {
        let (retrying, _, clock) = client([
            .response(HTTPResponse(status: 429, headers: ["Retry-After": "7"])), .response(HTTPResponse(status: 200)),
        ])
        #expect(try await retrying.execute(HTTPRequest(url: url)).status == 200)
        #expect(clock.sleeps == [.seconds(7)])
    }

    @Test("Retry-After as an HTTP date is relative to the wall clock")
    func retryAfterDate() {
        let now = Date(timeIntervalSince1970: 784_111_767)  // Sun, 06 Nov 1994 08:49:27 GMT
        #expect(RetryPolicy.retryAfterDelay("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .seconds(10))
        #expect(RetryPolicy.retryAfterDelay("soon", now: now) == nil)
    }

    @Test("A Retry-After longer than allowed ends the retries with that response")
    func retryAfterTooLong() async throws {
        let (retrying, fake, clock) = client([.response(HTTPResponse(status: 503, headers: ["Retry-After": "3600"]))])
        #expect(try await retrying.execute(HTTPRequest(url: url)).status == 503)
        #expect(fake.requests.count == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test("The attempt cap returns the last failing response")
    func attemptCap() async throws {
        var policy = RetryPolicy()
        policy.maximumAttempts = 3
        let (retrying, fake, clock) = client(Array(repeating: .response(HTTPResponse(status: 500)), count: 5), policy: policy)
        #expect(try await retrying.execute(HTTPRequest(url: url)).status == 500)
        #expect(fake.requests.count == 3)
        #expect(clock.sleeps == [.milliseconds(250), .milliseconds(500)])
    }

    @Test("The overall deadline stops retries before a wait would pass it")
    func deadline() async throws {
        var policy = RetryPolicy()
        policy.maximumAttempts = 10
        policy.initialBackoff = .seconds(2)
        policy.deadline = .seconds(5)
        let (retrying, fake, _) = client(Array(repeating: .response(HTTPResponse(status: 502)), count: 10), policy: policy)
        #expect(try await retrying.execute(HTTPRequest(url: url)).status == 502)
        // Waits of 2 s then 4 s: the second would end at 6 s, past the 5 s deadline.
        #expect(fake.requests.count == 2)
    }

    @Test("Transient errors are retried; other errors and statuses are not")
    func errors() async throws {
        let (retrying, fake, _) = client([.failure(.connectionRefused), .failure(.timeout), .response(HTTPResponse(status: 200))])
        #expect(try await retrying.execute(HTTPRequest(url: url)).status == 200)
        #expect(fake.requests.count == 3)

        let (strict, strictFake, _) = client([.failure(.invalidURL), .response(HTTPResponse(status: 200))])
        await #expect(throws: HTTPClientError.invalidURL) { try await strict.execute(HTTPRequest(url: url)) }
        #expect(strictFake.requests.count == 1)

        let (notFound, notFoundFake, _) = client([.response(HTTPResponse(status: 404))])
        #expect(try await notFound.execute(HTTPRequest(url: url)).status == 404)
        #expect(notFoundFake.requests.count == 1)
    }

    @Test("POST is not retried unless the policy allows it")
    func nonIdempotent() async throws {
        let replies: [ScriptedHTTPClient.Reply] = [.response(HTTPResponse(status: 503)), .response(HTTPResponse(status: 200))]
        let (retrying, fake, _) = client(replies)
        #expect(try await retrying.execute(.formPost(url: url, fields: [("a", "b")])).status == 503)
        #expect(fake.requests.count == 1)

        var policy = RetryPolicy()
        policy.retriesNonIdempotentRequests = true
        let (allowed, _, _) = client(replies, policy: policy)
        #expect(try await allowed.execute(.formPost(url: url, fields: [("a", "b")])).status == 200)
    }

    @Test("Which statuses retry is configurable")
    func configurableStatuses() async throws {
        var policy = RetryPolicy()
        policy.retryableStatuses = [418]
        let (retrying, fake, _) = client(
            [.response(HTTPResponse(status: 418)), .response(HTTPResponse(status: 503)), .response(HTTPResponse(status: 200))],
            policy: policy)
        #expect(try await retrying.execute(HTTPRequest(url: url)).status == 503)
        #expect(fake.requests.count == 2)
    }
}

@Suite("ScriptedHTTPClient and form encoding")
struct ScriptedHTTPClientTests {
    @Test("Records requests, replays in order, then says it has no reply")
    func script() async throws {
        let fake = ScriptedHTTPClient(replies: [.response(HTTPResponse(status: 201))])
        fake.enqueue(.handler { request in HTTPResponse(status: 200, body: Data(request.url.path.utf8)) })
        let url = URL(string: "https://x.test/a?token=secret")!
        #expect(try await fake.execute(HTTPRequest(url: url)).status == 201)
        #expect(try await fake.execute(HTTPRequest(url: url)).bodyText == "/a")
        do {
            _ = try await fake.execute(HTTPRequest(url: url))
            Issue.record("expected UnscriptedRequest")
        } catch let error as ScriptedHTTPClient.UnscriptedRequest {
            #expect(error.method == .get)
            #expect(!error.isTransient)
            #expect(!error.description.contains("secret"))
        }
        #expect(fake.requests.count == 3)
    }

    @Test("Form encoding round-trips reserved and non-ASCII characters")
    func form() {
        let fields = [("a b", "c&d=e"), ("ünï", "+%/"), ("empty", "")]
        let encoded = FormURLEncoding.encode(fields)
        #expect(encoded == "a+b=c%26d%3De&%C3%BCn%C3%AF=%2B%25%2F&empty=")
        #expect(FormURLEncoding.decode(encoded).map { "\($0.0)=\($0.1)" } == fields.map { "\($0.0)=\($0.1)" })
        #expect(FormURLEncoding.decode("bad=%zz&x").map { "\($0.0)=\($0.1)" } == ["bad=%zz", "x="])
    }

    @Test("Header lookups ignore case and descriptions hide credentials")
    func headers() {
        var headers: HTTPHeaders = ["Content-Type": "text/plain", "Authorization": "OAuth secret"]
        #expect(headers["content-type"] == "text/plain")
        headers.add(name: "Vary", value: "a")
        headers.add(name: "vary", value: "b")
        #expect(headers.values(for: "VARY") == ["a", "b"])
        #expect(!headers.description.contains("secret"))
    }
}
