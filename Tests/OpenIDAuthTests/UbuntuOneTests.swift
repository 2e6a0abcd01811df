import CommunityMailSystem
import Foundation
import HTTPTransport
import OpenIDAuth
import Testing

@Suite struct UbuntuOneTests {
    static let alice = "https://login.ubuntu.com/+id/AbCdEfG"

    struct Setup {
        let clock = ManualClock()
        let provider: FakeOpenIDProvider
        let attacker: FakeOpenIDProvider
        let ubuntuOne: UbuntuOne
        let http: ScriptedHTTPClient

        init(base: URL = UbuntuOne.production, email: String? = "alice@example.com", store: StoreKind = .memory) async throws {
            var configuration = FakeOpenIDProvider.Configuration()
            configuration.opIdentifier = base
            configuration.endpoint = base.appendingPathComponent("+openid")
            provider = FakeOpenIDProvider(configuration: configuration, clock: clock)
            await provider.addIdentity(.init(
                claimedIdentifier: base.absoluteString + "+id/AbCdEfG", nickname: "alice", email: email, fullName: "Alice Liddell",
                teams: ["ubuntumembers", "canonical"]))
            var evil = FakeOpenIDProvider.Configuration()
            evil.opIdentifier = URL(string: "https://evil.example/")!
            evil.endpoint = URL(string: "https://evil.example/op")!
            attacker = FakeOpenIDProvider(configuration: evil, clock: clock)
            await attacker.addIdentity(.init(claimedIdentifier: "https://evil.example/alice", nickname: "alice", email: "alice@example.com"))
            var settings = UbuntuOne.Configuration(realm: "https://mail.example/", returnTo: Harness.returnTo)
            settings.provider = base
            settings.teams = ["ubuntumembers", "ubuntu-core-dev"]
            settings.urlPolicy = OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic)
            let stores = try store.make()
            http = FakeOpenIDProvider.httpClient(serving: [provider, attacker])
            ubuntuOne = UbuntuOne(
                configuration: settings, httpClient: http,
                nonceStore: stores.nonces, associationStore: stores.associations, discoveryCache: stores.cache, clock: clock)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func signInReturnsTheVerifiedIdentity(store: StoreKind) async throws {
        let setup = try await Setup(store: store)
        let request = try await setup.ubuntuOne.begin()
        #expect(request.endpoint.absoluteString == "https://login.ubuntu.com/+openid")
        #expect(request.message["claimed_id"] == OpenIDMessage.identifierSelect)
        #expect(request.message["sreg.required"] == "nickname,email")
        #expect(request.message["sreg.optional"] == "fullname")
        #expect(request.message["lp.query_membership"] == "ubuntumembers,ubuntu-core-dev")
        let callback = try await setup.provider.positiveAssertion(for: request.redirectURL, as: Self.alice)
        let outcome = try await setup.ubuntuOne.complete(callbackURL: callback)
        #expect(outcome == .signedIn(UbuntuOneIdentity(
            claimedIdentifier: Self.alice, nickname: "alice", email: "alice@example.com", fullName: "Alice Liddell",
            teams: ["ubuntumembers"])))
    }

    @Test func stagingIsConfigurable() async throws {
        let setup = try await Setup(base: UbuntuOne.staging)
        let request = try await setup.ubuntuOne.begin()
        #expect(request.endpoint.absoluteString == "https://login.staging.ubuntu.com/+openid")
        let callback = try await setup.provider.positiveAssertion(
            for: request.redirectURL, as: "https://login.staging.ubuntu.com/+id/AbCdEfG")
        guard case .signedIn(let identity) = try await setup.ubuntuOne.complete(callbackURL: callback) else {
            Issue.record("not signed in"); return
        }
        #expect(identity.claimedIdentifier == "https://login.staging.ubuntu.com/+id/AbCdEfG")
    }

    @Test func unsignedTeamsAreRefused() async throws {
        let setup = try await Setup()
        let request = try await setup.ubuntuOne.begin()
        var answer = try await setup.provider.positiveAssertionMessage(for: request.message, as: Self.alice)
        // Drop the signed answer's team field from the signed list and give it a new, unsigned value.
        answer["lp.is_member"] = "ubuntumembers,ubuntu-core-dev"
        answer["signed"] = answer["signed"]?.split(separator: ",").filter { $0 != "lp.is_member" }.joined(separator: ",")
        await #expect(throws: OpenIDError.self) {
            try await setup.ubuntuOne.complete(callbackURL: Harness.returnTo, postBody: answer.formEncoded)
        }
        let plain = try await setup.provider.positiveAssertion(
            for: URL(string: request.redirectURL.absoluteString.replacingOccurrences(of: "&openid.lp.query_membership=ubuntumembers%2Cubuntu-core-dev", with: ""))!,
            as: Self.alice, forgeries: [.unsignedTeams(["ubuntu-core-dev"])])
        await #expect(throws: OpenIDError.unsignedExtensionValue) { try await setup.ubuntuOne.complete(callbackURL: plain) }
    }

    @Test func otherProvidersAreRefused() async throws {
        let setup = try await Setup()
        let request = try await setup.ubuntuOne.begin()
        // A valid assertion, but by evil.example for its own user.
        let callback = try await setup.attacker.positiveAssertion(
            for: URL(string: "https://evil.example/op?" + request.message.formEncoded.replacingOccurrences(
                of: "openid.claimed_id=http%3A%2F%2Fspecs.openid.net%2Fauth%2F2.0%2Fidentifier_select", with: "openid.claimed_id=https%3A%2F%2Fevil.example%2Falice"))!)
        await #expect(throws: OpenIDError.unexpectedProvider) { try await setup.ubuntuOne.complete(callbackURL: callback) }
    }

    /// The provider pin is decided from openid.op_endpoint before anything the assertion
    /// names is fetched: no re-discovery of the attacker's claimed identifier, no
    /// check_authentication at the attacker's endpoint, no nonce spent.
    @Test(arguments: StoreKind.allCases)
    func anotherProvidersAssertionCostsNoRequestToIt(store: StoreKind) async throws {
        let setup = try await Setup(store: store)
        let request = try await setup.ubuntuOne.begin()
        let callback = try await setup.attacker.positiveAssertion(
            for: URL(string: "https://evil.example/op?" + request.message.formEncoded.replacingOccurrences(
                of: "openid.claimed_id=http%3A%2F%2Fspecs.openid.net%2Fauth%2F2.0%2Fidentifier_select", with: "openid.claimed_id=https%3A%2F%2Fevil.example%2Falice"))!)
        let before = setup.http.requests.count
        await #expect(throws: OpenIDError.unexpectedProvider) { try await setup.ubuntuOne.complete(callbackURL: callback) }
        let made = setup.http.requests.dropFirst(before).map { $0.url.host ?? "" }
        #expect(!made.contains("evil.example"), "\(made)")
        // The nonce was not recorded: the same callback is refused for the same reason, not as a replay.
        await #expect(throws: OpenIDError.unexpectedProvider) { try await setup.ubuntuOne.complete(callbackURL: callback) }
    }

    /// Without an association for the handle, the allowed provider is asked first
    /// (check_authentication), so a forged callback naming Ubuntu One's endpoint and a
    /// stranger's claimed identifier makes no lookup or request for that identifier.
    @Test func forgedCallbackWithAnUnknownHandleFetchesNothingItNames() async throws {
        let setup = try await Setup()
        let request = try await setup.ubuntuOne.begin()
        var answer = try await setup.provider.positiveAssertionMessage(for: request.message, as: Self.alice)
        answer["claimed_id"] = "https://never-answers.example/alice"
        answer["identity"] = "https://never-answers.example/alice"
        answer["assoc_handle"] = "not-ours"
        let before = setup.http.requests.count
        await #expect(throws: OpenIDError.assertionNotConfirmed) {
            try await setup.ubuntuOne.complete(callbackURL: Harness.returnTo, postBody: answer.formEncoded)
        }
        let made = setup.http.requests.dropFirst(before).map { $0.url.host ?? "" }
        #expect(made == ["login.ubuntu.com"], "\(made)")
    }

    @Test func missingEmailIsRefused() async throws {
        let setup = try await Setup(email: nil)
        let request = try await setup.ubuntuOne.begin()
        let callback = try await setup.provider.positiveAssertion(for: request.redirectURL, as: Self.alice)
        await #expect(throws: OpenIDError.missingRequiredAttribute) { try await setup.ubuntuOne.complete(callbackURL: callback) }
    }

    @Test func cancelIsTyped() async throws {
        let setup = try await Setup()
        let request = try await setup.ubuntuOne.begin(immediate: true)
        #expect(try await setup.ubuntuOne.complete(callbackURL: try await setup.provider.setupNeeded(for: request.redirectURL)) == .setupNeeded)
        #expect(try await setup.ubuntuOne.complete(callbackURL: try await setup.provider.cancel(for: request.redirectURL)) == .cancelled)
    }
}
