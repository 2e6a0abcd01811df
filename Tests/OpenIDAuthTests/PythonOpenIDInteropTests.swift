import CommunityMailTestSupport
import Foundation
import HTTPTransport
import OpenIDAuth
import Testing

/// Our relying party against python3-openid's provider (`openid.server`) on loopback, over
/// real HTTP (FoundationHTTPClient), with the real clock.
@Suite(.enabled(if: TestPeers.shouldRun(PythonOpenIDPeer.isAvailable), "python3-openid is not installed"))
struct PythonOpenIDInteropTests {
    let http = FoundationHTTPClient()

    func relyingParty(_ policy: OpenIDRelyingParty.AssociationPolicy, returnTo: String = "http://127.0.0.1:9/return?session=abc",
                      store: StoreKind = .sqlite) throws -> (OpenIDRelyingParty, Stores) {
        var configuration = OpenIDRelyingParty.Configuration(realm: "http://127.0.0.1:9/", returnTo: URL(string: returnTo)!)
        configuration.associationPolicy = policy
        // The peer runs on loopback over http: the test opts in to both.
        configuration.urlPolicy = .privateNetwork()
        configuration.extensionTrust = .anyProvider
        let stores = try store.make()
        return (OpenIDRelyingParty(configuration: configuration, httpClient: http, nonceStore: stores.nonces,
                                   associationStore: stores.associations, discoveryCache: stores.cache), stores)
    }

    let profileOptions = OpenIDAuthenticationOptions(simpleRegistration: .init(required: [.nickname, .email], optional: [.fullname]))

    func signIn(_ rp: OpenIDRelyingParty, identifier: String) async throws -> (OpenIDResponse, Browser.Callback) {
        let request = try await rp.begin(identifier: identifier, options: profileOptions)
        let callback = try await Browser.visit(request.redirectURL, with: http)
        return (try await rp.complete(callbackURL: callback.url, postBody: callback.postBody), callback)
    }

    func expectAlice(_ response: OpenIDResponse, _ peer: PythonOpenIDPeer) {
        guard case .authenticated(let assertion) = response else {
            Issue.record("not authenticated: \(response)\n\(peer.process.output)")
            return
        }
        #expect(assertion.claimedIdentifier == peer.claimedIdentifier)
        #expect(assertion.providerEndpoint == peer.endpoint)
        #expect(assertion.simpleRegistration["nickname"] == "alice")
        #expect(assertion.simpleRegistration["email"] == "alice@example.com")
        #expect(assertion.simpleRegistration["fullname"] == "Alice Liddell")
        #expect(assertion.droppedUnsignedFields.isEmpty)
    }

    @Test func statelessWithOPIdentifier() async throws {
        let peer = try await PythonOpenIDPeer()
        let (rp, stores) = try relyingParty(.stateless)
        let (response, callback) = try await signIn(rp, identifier: peer.base + "/")
        expectAlice(response, peer)
        #expect(callback.postBody == nil)
        #expect(try await stores.associations.newestAssociation(endpoint: peer.endpoint, at: Date()) == nil)
        // The provider confirms a stateless signature once; a replay is refused.
        await #expect(throws: OpenIDError.self) { try await rp.complete(callbackURL: callback.url) }
    }

    @Test(arguments: [OpenIDRelyingParty.AssociationKind.dhSHA256, .dhSHA1], StoreKind.allCases)
    func associatedWithDiffieHellman(kind: OpenIDRelyingParty.AssociationKind, store: StoreKind) async throws {
        let peer = try await PythonOpenIDPeer()
        let (rp, stores) = try relyingParty(.associate([kind]), store: store)
        let (response, callback) = try await signIn(rp, identifier: peer.base + "/")
        expectAlice(response, peer)
        let association = try #require(try await stores.associations.newestAssociation(endpoint: peer.endpoint, at: Date()))
        #expect(association.type == kind.type)
        #expect(association.secret.count == kind.type.secretLength)
        guard case .authenticated(let assertion) = response else { return }
        #expect(assertion.signedFields["assoc_handle"] == association.handle)
        await #expect(throws: OpenIDError.replayedNonce) { try await rp.complete(callbackURL: callback.url) }
        // A second sign-in reuses the association.
        let (second, _) = try await signIn(rp, identifier: peer.base + "/")
        expectAlice(second, peer)
    }

    @Test func unsupportedTypeIsRenegotiated() async throws {
        let peer = try await PythonOpenIDPeer(sha1Only: true)
        let (rp, stores) = try relyingParty(.associate([.dhSHA256, .dhSHA1]))
        let (response, _) = try await signIn(rp, identifier: peer.base + "/")
        expectAlice(response, peer)
        #expect(try await stores.associations.newestAssociation(endpoint: peer.endpoint, at: Date())?.type == .hmacSHA1)
    }

    @Test(arguments: ["/id/alice", "/html/alice"])
    func claimedIdentifierLogin(path: String) async throws {
        let peer = try await PythonOpenIDPeer()
        let (rp, _) = try relyingParty(.associate([.dhSHA256]))
        let request = try await rp.begin(identifier: peer.base + path, options: profileOptions)
        #expect(request.message["claimed_id"] == peer.base + path)
        let callback = try await Browser.visit(request.redirectURL, with: http)
        let response = try await rp.complete(callbackURL: callback.url, postBody: callback.postBody)
        guard case .authenticated(let assertion) = response else { Issue.record("\(response)\n\(peer.process.output)"); return }
        #expect(assertion.claimedIdentifier == peer.base + path)
        #expect(assertion.simpleRegistration["email"] == "alice@example.com")
    }

    @Test(arguments: [OpenIDRelyingParty.AssociationPolicy.stateless, .associate([.dhSHA256])])
    func answerByFormPost(policy: OpenIDRelyingParty.AssociationPolicy) async throws {
        let peer = try await PythonOpenIDPeer()
        let (rp, _) = try relyingParty(policy, returnTo: "http://127.0.0.1:9/return?answer=form")
        let (response, callback) = try await signIn(rp, identifier: peer.base + "/")
        #expect(callback.postBody != nil)
        #expect(callback.url.absoluteString == "http://127.0.0.1:9/return?answer=form")
        expectAlice(response, peer)
    }

    @Test func tamperedAnswerIsRefused() async throws {
        let peer = try await PythonOpenIDPeer()
        let (rp, _) = try relyingParty(.associate([.dhSHA256]))
        let request = try await rp.begin(identifier: peer.base + "/", options: profileOptions)
        let callback = try await Browser.visit(request.redirectURL, with: http)
        let tampered = URL(string: callback.url.absoluteString.replacingOccurrences(of: "alice%40example.com", with: "mallory%40example.com"))!
        #expect(tampered != callback.url)
        await #expect(throws: OpenIDError.invalidSignature) { try await rp.complete(callbackURL: tampered) }
        let response = try await rp.complete(callbackURL: callback.url)
        expectAlice(response, peer)
    }

    @Test func immediateModeIsAnsweredWithoutInteraction() async throws {
        let peer = try await PythonOpenIDPeer()
        let (rp, _) = try relyingParty(.stateless)
        // The peer approves everything, so an immediate request succeeds too.
        let request = try await rp.begin(identifier: peer.base + "/", options: .init(immediate: true))
        #expect(request.message["mode"] == "checkid_immediate")
        let callback = try await Browser.visit(request.redirectURL, with: http)
        guard case .authenticated = try await rp.complete(callbackURL: callback.url, postBody: callback.postBody) else {
            Issue.record("not authenticated\n\(peer.process.output)"); return
        }
    }

    @Test func hostileProviderCannotAssertAnotherProvidersIdentifier() async throws {
        let victim = try await PythonOpenIDPeer()
        let attacker = try await PythonOpenIDPeer(assertAs: victim.claimedIdentifier)
        let (rp, _) = try relyingParty(.stateless)
        // The user is sent to the attacker's OP; it asserts the victim's claimed identifier and
        // would confirm that by check_authentication, but re-discovery names the victim's OP.
        let request = try await rp.begin(identifier: attacker.base + "/", options: profileOptions)
        let callback = try await Browser.visit(request.redirectURL, with: http)
        #expect(callback.url.absoluteString.contains(FormURLEncoding.escape(victim.claimedIdentifier)))
        await #expect(throws: OpenIDError.discoveryMismatch) { try await rp.complete(callbackURL: callback.url) }
    }

    @Test func providerThatLostTheAssociationConfirmsInvalidateHandle() async throws {
        var peer: PythonOpenIDPeer? = try await PythonOpenIDPeer()
        let port = try #require(peer).port
        let endpoint = try #require(peer).endpoint
        let (rp, stores) = try relyingParty(.associate([.dhSHA256]))
        let (first, _) = try await signIn(rp, identifier: try #require(peer).base + "/")
        guard case .authenticated = first else { Issue.record("\(first)"); return }
        let handle = try #require(try await stores.associations.newestAssociation(endpoint: endpoint, at: Date())).handle
        // A restarted provider has forgotten the association: it signs with a private handle,
        // says invalidate_handle, and confirms both through check_authentication.
        peer = nil
        let restarted = try await PythonOpenIDPeer(port: port)
        let request = try await rp.begin(identifier: restarted.base + "/", options: profileOptions)
        #expect(request.message["assoc_handle"] == handle)
        let callback = try await Browser.visit(request.redirectURL, with: http)
        let answer = try OpenIDMessage(query: callback.url)
        #expect(answer["invalidate_handle"] == handle)
        expectAlice(try await rp.complete(callbackURL: callback.url), restarted)
        #expect(try await stores.associations.association(endpoint: endpoint, handle: handle, at: Date()) == nil)
    }
}
