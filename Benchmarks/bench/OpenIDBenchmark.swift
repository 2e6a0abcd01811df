import Foundation
import HTTPTransport
import OpenIDAuth

/// Verifications per second of associated (HMAC-SHA256) positive assertions with SREG and
/// teams: our relying party against python3-openid's consumer (`GenericConsumer.complete`)
/// verifying the very same assertions with the same association and the same pre-discovered
/// information. Both sides check return_to, discovery information, signature and nonce.
enum OpenIDBenchmark {
    static let assertionCount = 3000

    static func run() async throws {
        let provider = FakeOpenIDProvider()
        let claimed = "https://openid.example/+id/alice"
        await provider.addIdentity(.init(claimedIdentifier: claimed, nickname: "alice", email: "alice@example.com",
                                         fullName: "Alice Liddell", teams: ["ubuntumembers"]))
        let http = provider.httpClient()
        let returnTo = URL(string: "https://mail.example/openid/return?session=abc")!
        var configuration = OpenIDRelyingParty.Configuration(realm: "https://mail.example/", returnTo: returnTo)
        configuration.associationPolicy = .associate([.dhSHA256])
        configuration.urlPolicy = OpenIDURLPolicy(resolver: StaticHostResolver.everyNameIsPublic)
        configuration.extensionTrust = .opIdentifiers([URL(string: "https://openid.example/")!])
        let associations = InMemoryAssociationStore()
        let cache = InMemoryDiscoveryCache()
        func relyingParty() -> OpenIDRelyingParty {
            OpenIDRelyingParty(configuration: configuration, httpClient: http, nonceStore: InMemoryNonceStore(),
                               associationStore: associations, discoveryCache: cache)
        }
        let options = OpenIDAuthenticationOptions(
            simpleRegistration: .init(required: [.nickname, .email], optional: [.fullname]), teams: ["ubuntumembers"])
        let request = try await relyingParty().begin(identifier: "https://openid.example/", options: options)
        var callbacks: [URL] = []
        for _ in 0..<assertionCount {
            callbacks.append(try await provider.positiveAssertion(for: request.redirectURL, as: claimed))
        }
        // Warm the discovery cache with the claimed identifier, as a first sign-in would.
        _ = try await relyingParty().complete(callbackURL: try await provider.positiveAssertion(for: request.redirectURL, as: claimed))
        guard let association = try await associations.newestAssociation(endpoint: "https://openid.example/+openid", at: Date()) else {
            throw OpenIDError.associationFailed
        }

        print("openid: \(assertionCount) associated HMAC-SHA256 assertions (SREG + teams) per run; fastest of 3")
        let ours = try await BenchmarkClock.fastestAsync {
            let rp = relyingParty()
            for callback in callbacks {
                guard case .authenticated = try await rp.complete(callbackURL: callback) else { throw OpenIDError.invalidSignature }
            }
        }
        let oursRate = Double(assertionCount) / ours.seconds
        report("ours (OpenIDRelyingParty.complete)", "\(format(oursRate, 0)) verifications/s")

        guard let python = PythonBaseline.executable() else {
            report("python3-openid GenericConsumer.complete", "not run: no venv python (run Scripts/install-test-deps)")
            return
        }
        let rate = try runPython(python, association: association, claimed: claimed, callbacks: callbacks)
        report("python3-openid GenericConsumer.complete", "\(format(rate, 0)) verifications/s")
        report("ratio (ours / python3-openid)", "\(format(oursRate / rate, 2))x")
    }

    private static func runPython(_ python: URL, association: OpenIDAssociation, claimed: String, callbacks: [URL]) throws -> Double {
        let input: [String: Any] = [
            "endpoint": association.endpoint, "claimed_id": claimed, "handle": association.handle,
            "secret": Data(association.secret).base64EncodedString(), "assoc_type": association.type.rawValue,
            "issued": Int(association.issuedAt.timeIntervalSince1970),
            "lifetime": Int(association.expiresAt.timeIntervalSince(association.issuedAt)),
            "callbacks": callbacks.map(\.absoluteString),
        ]
        let (rate, output) = try PythonBaseline.rate(python, script: pythonScript, input: input)
        guard let rate else { throw OpenIDError.providerError.with(message: "the python baseline failed: \(output)") }
        return rate
    }

    /// The python3-openid side: the same association in a MemoryStore, the claimed
    /// identifier's pre-discovered endpoint, and `GenericConsumer.complete` per assertion,
    /// with a fresh store (so fresh nonces) each run; prints the best rate.
    static let pythonScript = """
        import base64, json, sys, time
        from urllib.parse import parse_qsl, urlsplit
        from openid.association import Association
        from openid.consumer.consumer import GenericConsumer, SUCCESS
        from openid.consumer.discover import OpenIDServiceEndpoint, OPENID_2_0_TYPE
        from openid.message import Message
        from openid.store.memstore import MemoryStore

        data = json.load(open(sys.argv[1]))
        endpoint = OpenIDServiceEndpoint()
        endpoint.claimed_id = data["claimed_id"]
        endpoint.local_id = data["claimed_id"]
        endpoint.server_url = data["endpoint"]
        endpoint.type_uris = [OPENID_2_0_TYPE]
        messages = [(Message.fromPostArgs(dict(parse_qsl(urlsplit(url).query))), url) for url in data["callbacks"]]
        best = 0.0
        for _ in range(4):
            store = MemoryStore()
            store.storeAssociation(data["endpoint"], Association(
                data["handle"], base64.b64decode(data["secret"]), data["issued"], data["lifetime"], data["assoc_type"]))
            consumer = GenericConsumer(store)
            start = time.perf_counter()
            for message, url in messages:
                response = consumer.complete(message, endpoint, url)
                if response.status != SUCCESS:
                    sys.stderr.write("python3-openid refused an assertion: %s\\n" % response)
                    sys.exit(1)
            best = max(best, len(messages) / (time.perf_counter() - start))
        print(best)
        """
}
