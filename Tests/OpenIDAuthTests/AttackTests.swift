import CommunityMailSystem
import Foundation
import HTTPTransport
import OpenIDAuth
import Testing

/// Every attack the issue lists, forged by the fake provider, refused with its typed error,
/// over both store implementations.
@Suite struct AttackTests {
    @Test(arguments: StoreKind.allCases)
    func replayedAssertionIsRefused(kind: StoreKind) async throws {
        let harness = try await Harness(store: kind)
        let callback = try await harness.signIn()
        _ = try await harness.rp.complete(callbackURL: callback)
        await #expect(throws: OpenIDError.replayedNonce) { try await harness.rp.complete(callbackURL: callback) }
    }

    @Test func statelessReplayIsRefused() async throws {
        let harness = try await Harness(policy: .stateless)
        let callback = try await harness.signIn()
        _ = try await harness.rp.complete(callbackURL: callback)
        // The provider confirms a stateless assertion once, and we remember the nonce: either refuses.
        await #expect(throws: OpenIDError.self) { try await harness.rp.complete(callbackURL: callback) }
    }

    @Test(arguments: StoreKind.allCases, ["claimed_id", "identity", "return_to", "response_nonce", "sreg.email", "lp.is_member"])
    func changedSignedFieldIsRefused(kind: StoreKind, field: String) async throws {
        let harness = try await Harness(store: kind)
        let options = OpenIDAuthenticationOptions(simpleRegistration: .init(required: [.email]), teams: ["ubuntumembers"])
        let value = field == "return_to" ? Harness.returnTo.absoluteString + "&x=1" : field == "response_nonce"
            ? NonceTimestamp_now(harness) : "https://openid.example/+id/mallory"
        let callback = try await harness.signIn(options: options, forgeries: [.changeSignedField(field, value)])
        do {
            _ = try await harness.rp.complete(callbackURL: callback)
            Issue.record("a changed \(field) was accepted")
        } catch {
            // A changed return_to no longer names the callback URL; every other change breaks the
            // signature, which is checked before anything the assertion names is fetched.
            #expect(error == (field == "return_to" ? .returnToMismatch : .invalidSignature), "\(error)")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func unsignedFieldAddedToSignedListIsRefused(kind: StoreKind) async throws {
        let harness = try await Harness(store: kind)
        let callback = try await harness.signIn(forgeries: [.addFieldToSignedList("sreg.email", "mallory@evil.example")])
        await #expect(throws: OpenIDError.invalidSignature) { try await harness.rp.complete(callbackURL: callback) }
    }

    @Test(arguments: ["https://evil.example/openid/return?session=abc", "https://mail.example/openid/return?session=xyz",
                      "https://mail.example/other?session=abc", "http://mail.example/openid/return?session=abc"])
    func returnToMismatchIsRefused(returnTo: String) async throws {
        let harness = try await Harness()
        // The assertion is genuinely signed, but for another URL; it is presented at ours.
        let signedElsewhere = try await harness.signIn(forgeries: [.returnTo(returnTo)])
        let presented = URL(string: Harness.returnTo.absoluteString + "&" + (signedElsewhere.query ?? "").split(separator: "&")
            .filter { $0.hasPrefix("openid.") }.joined(separator: "&"))!
        await #expect(throws: OpenIDError.returnToMismatch) { try await harness.rp.complete(callbackURL: presented) }
    }

    /// The host rebuilt the callback URL from what the request said (a `Host` header, a raw
    /// target), so it matches the other relying party's return_to: only our configured
    /// return_to and realm can tell.
    @Test(arguments: StoreKind.allCases, ["https://evil.example/openid/return", "https://mail.example/elsewhere",
                                          "https://mail.example:8443/openid/return", "http://mail.example/openid/return"])
    func assertionForAnotherReturnToIsRefusedAtAMatchingCallbackURL(kind: StoreKind, returnTo: String) async throws {
        let harness = try await Harness(store: kind)
        let signedElsewhere = try await harness.signIn(forgeries: [.returnTo(returnTo)])
        let fields = (signedElsewhere.query ?? "").split(separator: "&").filter { $0.hasPrefix("openid.") }.joined(separator: "&")
        let presented = URL(string: returnTo + "?" + fields)!
        await #expect(throws: OpenIDError.returnToMismatch) { try await harness.rp.complete(callbackURL: presented) }
    }

    @Test func changedReturnToQueryParameterIsRefused() async throws {
        let harness = try await Harness()
        let callback = try await harness.signIn()
        let tampered = URL(string: callback.absoluteString.replacingOccurrences(of: "?session=abc", with: "?session=evil"))!
        await #expect(throws: OpenIDError.returnToMismatch) { try await harness.rp.complete(callbackURL: tampered) }
    }

    @Test(arguments: StoreKind.allCases)
    func secondProviderCannotAssertFirstProvidersIdentifier(kind: StoreKind) async throws {
        var attackerConfiguration = FakeOpenIDProvider.Configuration()
        attackerConfiguration.endpoint = URL(string: "https://attacker.example/openid")!
        attackerConfiguration.opIdentifier = URL(string: "https://attacker.example/")!
        let attacker = FakeOpenIDProvider(configuration: attackerConfiguration, clock: ManualClock())
        await attacker.addIdentity(.init(claimedIdentifier: "https://attacker.example/mallory"))
        let harness = try await Harness(store: kind, policy: .stateless, extraProviders: [attacker])
        // The user signs in through the attacker's OP identifier; it asserts alice, whose
        // identifier the first provider owns, and would confirm it by check_authentication.
        let request = try await harness.rp.begin(identifier: "https://attacker.example/")
        let callback = try await attacker.positiveAssertion(
            for: request.redirectURL, as: "https://attacker.example/mallory", forgeries: [.claimedIdentifier(Harness.alice)])
        await #expect(throws: OpenIDError.discoveryMismatch) { try await harness.rp.complete(callbackURL: callback) }
        #expect(await attacker.checkAuthenticationCount == 0)
    }

    /// Any provider can sign whatever e-mail and teams it likes for its own users: they are
    /// reported only from providers the configuration trusts.
    @Test(arguments: StoreKind.allCases)
    func hostileProvidersExtensionValuesAreNotReported(kind: StoreKind) async throws {
        var attackerConfiguration = FakeOpenIDProvider.Configuration()
        attackerConfiguration.endpoint = URL(string: "https://attacker.example/openid")!
        attackerConfiguration.opIdentifier = URL(string: "https://attacker.example/")!
        let attacker = FakeOpenIDProvider(configuration: attackerConfiguration, clock: ManualClock())
        await attacker.addIdentity(.init(claimedIdentifier: "https://attacker.example/mallory", nickname: "alice",
                                         email: "alice@example.com", teams: ["ubuntumembers"]))
        let harness = try await Harness(store: kind, extraProviders: [attacker])   // trusts openid.example only
        let options = OpenIDAuthenticationOptions(simpleRegistration: .init(required: [.nickname, .email]), teams: ["ubuntumembers"])
        let request = try await harness.rp.begin(identifier: "https://attacker.example/", options: options)
        let callback = try await attacker.positiveAssertion(for: request.redirectURL, as: "https://attacker.example/mallory")
        guard case .authenticated(let assertion) = try await harness.rp.complete(callbackURL: callback) else {
            Issue.record("not authenticated"); return
        }
        #expect(assertion.claimedIdentifier == "https://attacker.example/mallory")
        #expect(!assertion.extensionValuesTrusted)
        #expect(assertion.teams.isEmpty)
        #expect(assertion.simpleRegistration.isEmpty)
        // The trusted provider's values are reported.
        guard case .authenticated(let trusted) = try await harness.rp.complete(callbackURL: try await harness.signIn(options: options))
        else { Issue.record("not authenticated"); return }
        #expect(trusted.extensionValuesTrusted)
        #expect(trusted.teams == ["ubuntumembers"])
        #expect(trusted.simpleRegistration["email"] == "alice@example.com")
    }

    @Test func extensionValuesAreNotReportedByDefault() async throws {
        let clock = ManualClock()
        let provider = FakeOpenIDProvider(clock: clock)
        await provider.addIdentity(.init(claimedIdentifier: Harness.alice, email: "alice@example.com", teams: ["ubuntumembers"]))
        var configuration = OpenIDRelyingParty.Configuration(realm: "https://mail.example/", returnTo: Harness.returnTo)
        configuration.urlPolicy = OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic)
        let rp = OpenIDRelyingParty(configuration: configuration, httpClient: provider.httpClient(), nonceStore: InMemoryNonceStore(),
                                    associationStore: InMemoryAssociationStore(), discoveryCache: InMemoryDiscoveryCache(), clock: clock)
        let options = OpenIDAuthenticationOptions(simpleRegistration: .init(required: [.email]), teams: ["ubuntumembers"])
        let request = try await rp.begin(identifier: "https://openid.example/", options: options)
        let callback = try await provider.positiveAssertion(for: request.redirectURL, as: Harness.alice)
        guard case .authenticated(let assertion) = try await rp.complete(callbackURL: callback) else { Issue.record("not authenticated"); return }
        #expect(!assertion.extensionValuesTrusted && assertion.teams.isEmpty && assertion.simpleRegistration.isEmpty)
    }

    @Test func opIdentifierAsClaimedIdentifierIsRefused() async throws {
        let harness = try await Harness()
        let callback = try await harness.signIn(forgeries: [.claimedIdentifier("https://openid.example/")])
        await #expect(throws: OpenIDError.claimedIdentifierIsOPIdentifier) { try await harness.rp.complete(callbackURL: callback) }
    }

    @Test(arguments: StoreKind.allCases)
    func unknownAssociationHandleNotConfirmedIsRefused(kind: StoreKind) async throws {
        let harness = try await Harness(store: kind)
        let callback = try await harness.signIn(forgeries: [.unknownAssociationHandle])
        await #expect(throws: OpenIDError.assertionNotConfirmed) { try await harness.rp.complete(callbackURL: callback) }
        #expect(await harness.provider.checkAuthenticationCount == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func expiredAssociationNotConfirmedIsRefused(kind: StoreKind) async throws {
        let harness = try await Harness(store: kind)
        let request = try await harness.rp.begin(identifier: "https://openid.example/")
        harness.clock.advance(by: 3601)
        let callback = try await harness.provider.positiveAssertion(
            for: request.redirectURL, as: Harness.alice, forgeries: [.useExpiredAssociation])
        await #expect(throws: OpenIDError.assertionNotConfirmed) { try await harness.rp.complete(callbackURL: callback) }
    }

    @Test func invalidateHandleIsHonouredOnlyWhenTheProviderConfirmsIt() async throws {
        let harness = try await Harness()
        let request = try await harness.rp.begin(identifier: "https://openid.example/")
        let handle = try #require(request.message["assoc_handle"])
        let endpoint = "https://openid.example/+openid"
        // An unconfirmed invalidate_handle in the indirect message changes nothing.
        var forged = try await harness.provider.positiveAssertionMessage(for: request.message, as: Harness.alice,
                                                                         forgeries: [.unknownAssociationHandle])
        forged["invalidate_handle"] = handle
        await #expect(throws: OpenIDError.assertionNotConfirmed) {
            try await harness.rp.complete(callbackURL: Harness.returnTo, postBody: forged.formEncoded)
        }
        #expect(try await harness.stores.associations.association(endpoint: endpoint, handle: handle, at: harness.clock.now()) != nil)
        // When the provider has lost the association, it signs privately and confirms invalidate_handle.
        var lost = request.message
        lost["assoc_handle"] = "{HMAC-SHA256}{0}{lost}"
        try await harness.stores.associations.store(OpenIDAssociation(
            endpoint: endpoint, handle: "{HMAC-SHA256}{0}{lost}", secret: Array(repeating: 7, count: 32), type: .hmacSHA256,
            issuedAt: harness.clock.now(), expiresAt: harness.clock.now().addingTimeInterval(600)))
        let answer = try await harness.provider.positiveAssertionMessage(for: lost, as: Harness.alice)
        #expect(answer["invalidate_handle"] == "{HMAC-SHA256}{0}{lost}")
        guard case .authenticated = try await harness.rp.complete(callbackURL: Harness.returnTo, postBody: answer.formEncoded) else {
            Issue.record("not authenticated"); return
        }
        #expect(try await harness.stores.associations.association(
            endpoint: endpoint, handle: "{HMAC-SHA256}{0}{lost}", at: harness.clock.now()) == nil)
    }

    @Test(arguments: [-301.0, 301.0, -86_400.0])
    func nonceOutsideSkewIsRefused(offset: Double) async throws {
        let harness = try await Harness()
        let callback = try await harness.signIn(forgeries: [.nonceTime(harness.clock.now().addingTimeInterval(offset))])
        await #expect(throws: OpenIDError.nonceOutsideWindow) { try await harness.rp.complete(callbackURL: callback) }
    }

    @Test func malformedNonceIsRefused() async throws {
        let harness = try await Harness()
        let callback = try await harness.signIn()
        let broken = URL(string: callback.absoluteString.replacingOccurrences(
            of: "openid.response_nonce=", with: "openid.response_nonce=x"))!
        await #expect(throws: OpenIDError.invalidNonce) { try await harness.rp.complete(callbackURL: broken) }
    }

    @Test func unsignedTeamsAreDroppedByDefault() async throws {
        let harness = try await Harness()
        let callback = try await harness.signIn(forgeries: [.unsignedTeams(["admins"])])
        guard case .authenticated(let assertion) = try await harness.rp.complete(callbackURL: callback) else {
            Issue.record("not authenticated"); return
        }
        #expect(assertion.teams.isEmpty)
        #expect(assertion.droppedUnsignedFields.contains("lp.is_member"))
    }

    @Test func unsignedTeamsAreRefusedWhenThePolicySaysSo() async throws {
        let harness = try await Harness(unsigned: .refuse)
        let callback = try await harness.signIn(
            options: .init(teams: ["ubuntumembers"]), forgeries: [.unsignedTeams(["ubuntumembers", "admins"])])
        // The signed is_member was replaced by an unsigned one: the signature breaks or the policy refuses.
        await #expect(throws: OpenIDError.self) { try await harness.rp.complete(callbackURL: callback) }
        let plain = try await harness.signIn(forgeries: [.unsignedTeams(["admins"])])
        await #expect(throws: OpenIDError.unsignedExtensionValue) { try await harness.rp.complete(callbackURL: plain) }
    }

    @Test func requiredFieldsMustBeSigned() async throws {
        let harness = try await Harness()
        let callback = try await harness.signIn()
        let query = try #require(callback.query)
        let fields = HTTPTransport.FormURLEncoding.decode(query).map { pair -> (String, String) in
            pair.0 == "openid.signed" ? (pair.0, pair.1.split(separator: ",").filter { $0 != "claimed_id" }.joined(separator: ",")) : pair
        }
        let stripped = URL(string: "https://mail.example/openid/return?" + FormURLEncoding.encode(fields))!
        await #expect(throws: OpenIDError.unsignedRequiredField) { try await harness.rp.complete(callbackURL: stripped) }
    }

    @Test func duplicateFieldsAreRefused() async throws {
        let harness = try await Harness()
        let callback = try await harness.signIn()
        let doubled = URL(string: callback.absoluteString + "&openid.claimed_id=https%3A%2F%2Fevil.example%2F")!
        await #expect(throws: OpenIDError.invalidMessage) { try await harness.rp.complete(callbackURL: doubled) }
    }
}

/// A well-formed nonce for now (so that only the signature can catch the change).
func NonceTimestamp_now(_ harness: Harness) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(secondsFromGMT: 0)
    return formatter.string(from: harness.clock.now()) + "changed"
}
