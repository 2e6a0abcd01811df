import CommunityMailSystem
import Foundation
import HTTPTransport
import OpenIDAuth
import Testing

@Suite("OpenIDError classification, causes and public hash names")
struct OpenIDErrorTests {
    @Test("refusals of an assertion, bad input and policy refusals are never transient")
    func permanent() {
        for error in [OpenIDError.invalidSignature, .replayedNonce, .nonceOutsideWindow, .discoveryMismatch, .realmMismatch,
                      .returnToMismatch, .invalidIdentifier, .invalidMessage, .refusedURL, .tooManyFetches, .unsafeDocument,
                      .documentTooLarge, .unexpectedProvider, .assertionNotConfirmed] {
            #expect(!error.isTransient, "\(error)")
            #expect(!error.isTransientFailure, "\(error)")
        }
    }

    @Test("transport and discovery failures follow their cause or status")
    func causesAndStatuses() {
        #expect(OpenIDError.transport.with(message: "x", cause: HTTPClientError.timeout).isTransient)
        #expect(!OpenIDError.transport.with(message: "x", cause: HTTPClientError.tls).isTransient)
        #expect(OpenIDError.discoveryFailed.with(message: "x", status: 503).isTransient)
        #expect(OpenIDError.discoveryFailed.with(message: "x", status: 429).isTransient)
        #expect(!OpenIDError.discoveryFailed.with(message: "x", status: 404).isTransient)
        #expect(OpenIDError.providerError.with(message: "x", status: 502).isTransient)
        #expect(!OpenIDError.providerError.with(message: "x", status: 403).isTransient)
        let kept = OpenIDError.transport.with(message: "x", cause: HTTPClientError.connectionLost)
        #expect(kept.with(message: "y").cause as? HTTPClientError == .connectionLost)
    }

    @Test("discovery keeps the HTTP client's error and the server's status")
    func discoveryKeepsCause() async throws {
        let clock = ManualClock()
        let refused = ScriptedHTTPClient(replies: [.failure(HTTPClientError.connectionRefused)])
        let discovery = OpenIDDiscovery(
            httpClient: refused, cache: InMemoryDiscoveryCache(), clock: clock,
            urlPolicy: OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic))
        let error = await #expect(throws: OpenIDError.discoveryFailed) { try await discovery.discover("https://op.example/") }
        #expect(error?.cause as? HTTPClientError == .connectionRefused)
        #expect(error?.isTransient == true)

        let unavailable = ScriptedHTTPClient(replies: [.response(HTTPResponse(status: 503))])
        let second = OpenIDDiscovery(
            httpClient: unavailable, cache: InMemoryDiscoveryCache(), clock: clock,
            urlPolicy: OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic))
        let failed = await #expect(throws: OpenIDError.discoveryFailed) { try await second.discover("https://op.example/") }
        #expect(failed?.status == 503)
        #expect(failed?.isTransient == true)
    }

    @Test("association types name their hash with OpenIDAuth's own type")
    func hashNames() {
        #expect(OpenIDAssociation.AssociationType.hmacSHA1.hash == .sha1)
        #expect(OpenIDAssociation.AssociationType.hmacSHA256.hash == .sha256)
        #expect(OpenIDAssociation.AssociationType.hmacSHA1.secretLength == 20)
        #expect(OpenIDAssociation.AssociationType.hmacSHA256.secretLength == 32)
        #expect(OpenIDAssociation.SessionType.noEncryption.hash == nil)
        #expect(OpenIDAssociation.SessionType.dhSHA256.hash?.digestLength == 32)
    }
}
