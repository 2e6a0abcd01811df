import CommunityMailSystem
import Foundation
import HTTPTransport
import OpenIDAuth
import Testing

@Suite struct RelyingPartyTests {
    @Test(arguments: StoreKind.allCases)
    func associatedSignInWithOPIdentifier(kind: StoreKind) async throws {
        let harness = try await Harness(store: kind)
        let options = OpenIDAuthenticationOptions(
            simpleRegistration: .init(required: [.nickname, .email], optional: [.fullname]), teams: ["ubuntumembers", "ops"])
        let callback = try await harness.signIn(options: options)
        let response = try await harness.rp.complete(callbackURL: callback)
        guard case .authenticated(let assertion) = response else { Issue.record("not authenticated: \(response)"); return }
        #expect(assertion.claimedIdentifier == Harness.alice)
        #expect(assertion.localIdentifier == Harness.alice)
        #expect(assertion.providerEndpoint == "https://openid.example/+openid")
        #expect(assertion.simpleRegistration == ["nickname": "alice", "email": "alice@example.com", "fullname": "Alice Liddell"])
        #expect(assertion.teams == ["ubuntumembers"])
        #expect(assertion.droppedUnsignedFields.isEmpty)
        #expect(await harness.provider.associationCount == 1)
        #expect(await harness.provider.checkAuthenticationCount == 0)
    }

    @Test func associationIsReusedUntilNearExpiry() async throws {
        let harness = try await Harness()
        for _ in 0..<3 {
            let response = try await harness.rp.complete(callbackURL: try await harness.signIn())
            guard case .authenticated = response else { Issue.record("\(response)"); return }
        }
        #expect(await harness.provider.associationCount == 1)
        harness.clock.advance(by: 3600 - 60)
        _ = try await harness.rp.complete(callbackURL: try await harness.signIn())
        #expect(await harness.provider.associationCount == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func statelessSignInUsesCheckAuthentication(kind: StoreKind) async throws {
        let harness = try await Harness(store: kind, policy: .stateless)
        let request = try await harness.rp.begin(identifier: "openid.example")
        #expect(request.message["assoc_handle"] == nil)
        let callback = try await harness.provider.positiveAssertion(for: request.redirectURL, as: Harness.alice)
        guard case .authenticated(let assertion) = try await harness.rp.complete(callbackURL: callback) else {
            Issue.record("not authenticated"); return
        }
        #expect(assertion.claimedIdentifier == Harness.alice)
        #expect(await harness.provider.checkAuthenticationCount == 1)
        #expect(await harness.provider.associationCount == 0)
    }

    @Test(arguments: [FakeOpenIDProvider.DiscoveryStyle.xrds, .xrdsLocationHeader, .html])
    func claimedIdentifierSignInWithLocalID(style: FakeOpenIDProvider.DiscoveryStyle) async throws {
        let identity = FakeOpenIDProvider.Identity(
            claimedIdentifier: "https://openid.example/~bob", localIdentifier: "https://openid.example/+id/bob-local",
            nickname: "bob", discoveryStyle: style)
        let harness = try await Harness(identity: identity)
        let request = try await harness.rp.begin(identifier: "https://openid.example/~bob")
        #expect(request.message["claimed_id"] == "https://openid.example/~bob")
        #expect(request.message["identity"] == "https://openid.example/+id/bob-local")
        #expect(request.service.isOPIdentifier == false)
        let callback = try await harness.provider.positiveAssertion(for: request.redirectURL)
        guard case .authenticated(let assertion) = try await harness.rp.complete(callbackURL: callback) else {
            Issue.record("not authenticated"); return
        }
        #expect(assertion.claimedIdentifier == "https://openid.example/~bob")
        #expect(assertion.localIdentifier == "https://openid.example/+id/bob-local")
    }

    @Test func answerByFormPost() async throws {
        let harness = try await Harness()
        let request = try await harness.rp.begin(identifier: "https://openid.example/")
        let answer = try await harness.provider.positiveAssertionMessage(for: request.message, as: Harness.alice)
        let response = try await harness.rp.complete(callbackURL: Harness.returnTo, postBody: answer.formEncoded)
        guard case .authenticated(let assertion) = response else { Issue.record("\(response)"); return }
        #expect(assertion.claimedIdentifier == Harness.alice)
    }

    @Test func formPostRequestCarriesEveryField() async throws {
        let harness = try await Harness()
        let request = try await harness.rp.begin(
            identifier: "https://openid.example/", options: .init(teams: (0..<200).map { "team-number-\($0)" }))
        #expect(request.prefersFormPost)
        #expect(request.formHTML.contains("name=\"openid.lp.query_membership\""))
        #expect(request.formHTML.contains("action=\"https://openid.example/+openid\""))
    }

    @Test func extensionsRequestAndAnswer() async throws {
        let harness = try await Harness()
        let options = OpenIDAuthenticationOptions(
            immediate: true, attributeExchange: .init(attributes: [.email, .fullName]), maximumAuthenticationAge: 3600)
        let request = try await harness.rp.begin(identifier: "https://openid.example/", options: options)
        #expect(request.message["mode"] == "checkid_immediate")
        #expect(request.message["pape.max_auth_age"] == "3600")
        #expect(request.message["ax.type.email"] == "http://axschema.org/contact/email")
        #expect(request.message["realm"] == "https://mail.example/")
        let callback = try await harness.provider.positiveAssertion(for: request.redirectURL, as: Harness.alice)
        guard case .authenticated(let assertion) = try await harness.rp.complete(callbackURL: callback) else {
            Issue.record("not authenticated"); return
        }
        #expect(assertion.attributes["http://axschema.org/contact/email"] == ["alice@example.com"])
        #expect(assertion.attributes["http://axschema.org/namePerson"] == ["Alice Liddell"])
        #expect(assertion.authenticationTime == harness.clock.now().addingTimeInterval(0).roundedToSeconds)
    }

    @Test func negativeAnswersAreTyped() async throws {
        let harness = try await Harness()
        let request = try await harness.rp.begin(identifier: "https://openid.example/")
        #expect(try await harness.rp.complete(callbackURL: try await harness.provider.cancel(for: request.redirectURL)) == .cancelled)
        #expect(try await harness.rp.complete(callbackURL: try await harness.provider.setupNeeded(for: request.redirectURL)) == .setupNeeded)
        let error = URL(string: Harness.returnTo.absoluteString + "&openid.ns=http%3A%2F%2Fspecs.openid.net%2Fauth%2F2.0&openid.mode=error&openid.error=boom")!
        #expect(try await harness.rp.complete(callbackURL: error) == .providerError("boom"))
        let odd = URL(string: Harness.returnTo.absoluteString + "&openid.ns=http%3A%2F%2Fspecs.openid.net%2Fauth%2F2.0&openid.mode=bogus")!
        await #expect(throws: OpenIDError.unexpectedMode) { try await harness.rp.complete(callbackURL: odd) }
        let openID1 = URL(string: Harness.returnTo.absoluteString + "&openid.mode=id_res")!
        await #expect(throws: OpenIDError.invalidMessage) { try await harness.rp.complete(callbackURL: openID1) }
    }

    @Test func realmMustCoverReturnTo() async throws {
        let clock = ManualClock()
        let provider = FakeOpenIDProvider(clock: clock)
        let rp = OpenIDRelyingParty(
            configuration: .init(realm: "https://other.example/", returnTo: Harness.returnTo), httpClient: provider.httpClient(),
            nonceStore: InMemoryNonceStore(), associationStore: InMemoryAssociationStore(), discoveryCache: InMemoryDiscoveryCache(),
            clock: clock)
        await #expect(throws: OpenIDError.realmMismatch) { try await rp.begin(identifier: "https://openid.example/") }
        #expect(OpenIDRealm.matches(realm: "https://*.example.com/", returnTo: "https://mail.example.com/x"))
        #expect(OpenIDRealm.matches(realm: "https://example.com/app", returnTo: "https://example.com/app/return"))
        #expect(!OpenIDRealm.matches(realm: "https://example.com/app", returnTo: "https://example.com/application"))
        #expect(!OpenIDRealm.matches(realm: "https://example.com/", returnTo: "http://example.com/"))
        #expect(!OpenIDRealm.matches(realm: "https://example.com/", returnTo: "https://example.com:8443/"))
    }
}

extension Date {
    var roundedToSeconds: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}

@Suite struct LoggingTests {
    final class Lines: @unchecked Sendable {
        // @unchecked: guarded by `lock`.
        private let lock = NSLock()
        private var storage: [String] = []
        func append(_ line: String) { lock.lock(); storage.append(line); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return storage }
    }

    @Test func eventsAreLoggedWithoutSecrets() async throws {
        let clock = ManualClock()
        let provider = FakeOpenIDProvider(clock: clock)
        await provider.addIdentity(.init(claimedIdentifier: Harness.alice))
        let lines = Lines()
        var configuration = OpenIDRelyingParty.Configuration(realm: "https://mail.example/", returnTo: Harness.returnTo)
        configuration.logger = { lines.append($0) }
        configuration.urlPolicy = OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic)
        let rp = OpenIDRelyingParty(configuration: configuration, httpClient: provider.httpClient(), nonceStore: InMemoryNonceStore(),
                                    associationStore: InMemoryAssociationStore(), discoveryCache: InMemoryDiscoveryCache(), clock: clock)
        let request = try await rp.begin(identifier: "https://openid.example/")
        let callback = try await provider.positiveAssertion(for: request.redirectURL, as: Harness.alice)
        _ = try await rp.complete(callbackURL: callback)
        _ = try? await rp.complete(callbackURL: callback)
        let text = lines.all.joined(separator: "\n")
        #expect(text.contains("associated with https://openid.example/+openid: HMAC-SHA256 over DH-SHA256"))
        #expect(text.contains("assertion accepted for \(Harness.alice)"))
        #expect(text.contains("assertion refused (replayedNonce)"))
        let message = try OpenIDMessage(query: callback)
        for secret in [message["sig"], message["response_nonce"]].compactMap({ $0 }) { #expect(!text.contains(secret)) }
    }
    /// URLs in log lines and error messages lose their query: an endpoint named by a
    /// stranger may carry tokens, and a claimed identifier may too.
    @Test func urlQueriesStayOutOfLogsAndErrors() async throws {
        let xrds = """
            <xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)"><XRD><Service>
            <Type>http://specs.openid.net/auth/2.0/server</Type><URI>https://op.example/op?token=s3cret</URI></Service></XRD></xrds:XRDS>
            """
        let http = ScriptedHTTPClient(replies: [
            .response(HTTPResponse(status: 200, headers: ["Content-Type": "application/xrds+xml"], body: Data(xrds.utf8))),
            .response(HTTPResponse(status: 500)), .response(HTTPResponse(status: 500)),
        ])
        let lines = Lines()
        var configuration = OpenIDRelyingParty.Configuration(realm: "https://mail.example/", returnTo: Harness.returnTo)
        configuration.logger = { lines.append($0) }
        configuration.urlPolicy = OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic)
        let rp = OpenIDRelyingParty(configuration: configuration, httpClient: http, nonceStore: InMemoryNonceStore(),
                                    associationStore: InMemoryAssociationStore(), discoveryCache: InMemoryDiscoveryCache())
        _ = try await rp.begin(identifier: "https://op.example/")
        let text = lines.all.joined(separator: "\n")
        #expect(text.contains("no association with https://op.example/op"), "\(text)")
        #expect(!text.contains("s3cret"), "\(text)")
        let association = OpenIDAssociation(
            endpoint: "https://op.example/op?token=s3cret", handle: "h", secret: [1], type: .hmacSHA256, issuedAt: Date(),
            expiresAt: Date())
        #expect(!association.description.contains("s3cret"))
    }
}
