import CommunityMailSystem
import Foundation
import HTTPTransport
import Testing

@Suite("HTTPClientError classification and causes")
struct HTTPClientErrorTests {
    @Test("timeouts, refused, lost and unreachable connections are transient; bad URLs, TLS, size and cancellation are not")
    func transience() {
        for error in [HTTPClientError.timeout, .connectionRefused, .connectionLost, .cannotConnect] {
            #expect(error.isTransient, "\(error)")
            #expect(error.isTransientFailure, "\(error)")
        }
        for error in [HTTPClientError.invalidURL, .tls, .responseTooLarge, .cancelled, .other] {
            #expect(!error.isTransient, "\(error)")
        }
    }

    @Test("other defers to its cause; the cause is kept but not compared")
    func causes() {
        let reset = HTTPClientError.other.with(message: "reset", cause: NetworkError.connectionReset("reset"))
        #expect(reset.isTransient)
        #expect(reset.cause as? NetworkError == .connectionReset("any"))
        let refusedAddress = HTTPClientError.other.with(message: "bad address", cause: NetworkError.invalidAddress("bad"))
        #expect(!refusedAddress.isTransient)
        #expect(reset == refusedAddress)  // same kind
        // A new message keeps the cause.
        #expect(reset.with(message: "again").cause as? NetworkError == .connectionReset("any"))
    }

    @Test("the retrying client retries what the error says is transient, not what it says is permanent")
    func retriesFollowClassification() async throws {
        let url = URL(string: "https://x.test/")!
        let transient = ScriptedHTTPClient(replies: [
            .failure(.other.with(message: "reset", cause: NetworkError.connectionReset("reset"))), .response(HTTPResponse(status: 200)),
        ])
        let clock = ManualClock(advancesOnSleep: true)
        let retrying = RetryingHTTPClient(base: transient, clock: clock, random: { 0 })
        #expect(try await retrying.execute(HTTPRequest(url: url)).status == 200)
        #expect(clock.sleeps.count == 1)

        let permanent = ScriptedHTTPClient(replies: [.failure(.tls), .response(HTTPResponse(status: 200))])
        let once = RetryingHTTPClient(base: permanent, clock: ManualClock(advancesOnSleep: true), random: { 0 })
        await #expect(throws: HTTPClientError.tls) { try await once.execute(HTTPRequest(url: url)) }
        #expect(permanent.requests.count == 1)
    }
}
