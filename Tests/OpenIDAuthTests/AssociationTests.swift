import Foundation
import HTTPTransport
import OpenIDAuth
import Testing

@Suite struct AssociationTests {
    @Test func unsupportedTypeIsRenegotiatedToAnAcceptedKind() async throws {
        var provider = FakeOpenIDProvider.Configuration()
        provider.supportedAssociations = [.dhSHA1]
        let harness = try await Harness(providerConfiguration: provider)
        let association = try await harness.rp.associate(endpoint: "https://openid.example/+openid")
        #expect(association.type == .hmacSHA1)
        #expect(harness.http.requests.filter { $0.method == .post }.count == 2)
    }

    @Test func suggestionOutsideOurPolicyIsNotTaken() async throws {
        var provider = FakeOpenIDProvider.Configuration()
        provider.supportedAssociations = [.plainSHA1]
        let harness = try await Harness(policy: .associate([.dhSHA256]), providerConfiguration: provider)
        await #expect(throws: OpenIDError.associationFailed) { try await harness.rp.associate(endpoint: "https://openid.example/+openid") }
        // Sign-in still works, statelessly.
        let response = try await harness.rp.complete(callbackURL: try await harness.signIn())
        guard case .authenticated = response else { Issue.record("\(response)"); return }
        #expect(await harness.provider.checkAuthenticationCount == 1)
    }

    @Test func noEncryptionOnlyOverHTTPS() async throws {
        var https = FakeOpenIDProvider.Configuration()
        https.supportedAssociations = [.plainSHA256]
        let secure = try await Harness(policy: .associate([.plainSHA256]), providerConfiguration: https)
        #expect(try await secure.rp.associate(endpoint: "https://openid.example/+openid").type == .hmacSHA256)
        let response = try await secure.rp.complete(callbackURL: try await secure.signIn())
        guard case .authenticated = response else { Issue.record("\(response)"); return }

        var http = FakeOpenIDProvider.Configuration()
        http.endpoint = URL(string: "http://openid.example/+openid")!
        http.opIdentifier = URL(string: "http://openid.example/")!
        let plain = try await Harness(
            policy: .associate([.plainSHA256]), providerConfiguration: http,
            identity: .init(claimedIdentifier: "http://openid.example/+id/alice"))
        await #expect(throws: OpenIDError.associationFailed) { try await plain.rp.associate(endpoint: "http://openid.example/+openid") }
        #expect(plain.http.requests.filter { $0.method == .post }.isEmpty)
    }

    @Test func malformedAssociateAnswersAreTyped() async throws {
        let bodies = [
            "ns:http://specs.openid.net/auth/2.0\nassoc_type:HMAC-SHA256\nsession_type:DH-SHA256\nassoc_handle:h\nexpires_in:60\n",
            "ns:http://specs.openid.net/auth/2.0\nassoc_type:HMAC-SHA1\nsession_type:DH-SHA256\nassoc_handle:h\nexpires_in:60\ndh_server_public:AA==\nenc_mac_key:AA==\n",
            "garbage without colon",
            "ns:http://specs.openid.net/auth/2.0\nassoc_type:HMAC-SHA256\nsession_type:DH-SHA256\nassoc_handle:h\nexpires_in:60\ndh_server_public:AQ==\nenc_mac_key:\(Data(count: 32).base64EncodedString())\n",
        ]
        for body in bodies {
            let http = ScriptedHTTPClient(replies: [.response(HTTPResponse(status: 200, body: Data(body.utf8)))])
            var configuration = OpenIDRelyingParty.Configuration(realm: "https://mail.example/", returnTo: Harness.returnTo)
            configuration.associationPolicy = .associate([.dhSHA256])
            configuration.urlPolicy = OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic)
            let rp = OpenIDRelyingParty(configuration: configuration, httpClient: http, nonceStore: InMemoryNonceStore(),
                                        associationStore: InMemoryAssociationStore(), discoveryCache: InMemoryDiscoveryCache())
            do {
                try await rp.associate(endpoint: "https://op.example/")
                Issue.record("a malformed associate answer was accepted")
            } catch {
                #expect([OpenIDError.associationFailed, .invalidMessage].contains(error), "\(error)")
            }
            #expect(http.requests.count == 1)
        }
    }

    @Test func keyValueForm() throws {
        #expect(try KeyValueForm.decode("a:b\nc:d:e\n") == ["a": "b", "c": "d:e"])
        #expect(throws: OpenIDError.invalidMessage) { try KeyValueForm.decode("a:b\na:c\n") }
        #expect(throws: OpenIDError.invalidMessage) { try KeyValueForm.encode([("a", "b\nc")]) }
        #expect(throws: OpenIDError.invalidMessage) { try KeyValueForm.encode([("a:b", "c")]) }
        #expect(try KeyValueForm.encode([("mode", "id_res"), ("x", "")]) == "mode:id_res\nx:\n")
    }
}
