import CommunityMailSystem
import HTTPTransport
import LaunchpadClient
import Testing

@Suite("LaunchpadError classification and causes")
struct LaunchpadErrorTests {
    @Test("408, 429 and 5xx statuses are transient; 4xx and data errors are not")
    func statuses() {
        for status in [408, 429, 500, 502, 503, 504] {
            #expect(LaunchpadError.unexpectedStatus.with(status: status, message: "x").isTransient, "\(status)")
        }
        for status in [400, 405, 410, 422] {
            #expect(!LaunchpadError.unexpectedStatus.with(status: status, message: "x").isTransient, "\(status)")
        }
        for error in [LaunchpadError.notFound, .unauthorized, .invalidName, .missingField, .malformedField, .malformedJSON,
                      .foreignLink, .repeatedLink, .pageLimitExceeded, .collectionChanged, .invalidConfiguration] {
            #expect(!error.isTransient, "\(error)")
            #expect(!error.isTransientFailure, "\(error)")
        }
    }

    @Test("a transport failure is as transient as the HTTP error it keeps")
    func transportCause() {
        let timedOut = LaunchpadError.transport.with(message: "timed out", cause: HTTPClientError.timeout)
        #expect(timedOut.isTransient)
        #expect(timedOut.cause as? HTTPClientError == .timeout)
        let badTLS = LaunchpadError.transport.with(message: "TLS", cause: HTTPClientError.tls)
        #expect(!badTLS.isTransient)
        #expect(LaunchpadError.transport.isTransient)  // no cause known: worth another try
    }

    @Test("the client keeps the HTTP client's error as the cause of a transport failure")
    func clientKeepsCause() async throws {
        let http = ScriptedHTTPClient(fallback: { _ in throw HTTPClientError.connectionRefused })
        var configuration = LaunchpadWebServiceClient.Configuration()
        configuration.retryPolicy.maximumAttempts = 2
        let client = try LaunchpadWebServiceClient(
            configuration: configuration, httpClient: http, clock: ManualClock(advancesOnSleep: true), entryCache: nil)
        let error = await #expect(throws: LaunchpadError.transport) { try await client.person(named: "alice") }
        #expect(error?.cause as? HTTPClientError == .connectionRefused)
        #expect(error?.isTransient == true)
        #expect(http.requests.count == 2)
    }
}
